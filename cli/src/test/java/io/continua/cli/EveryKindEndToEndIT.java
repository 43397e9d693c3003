package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.DeltaKind;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.trainer.TrainerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every delta kind on one stack, all real (embedded broker, registry, ingest, trainer, serving): a
 * domain per kind learns from the stream, registers versions that production takes, and serving
 * answers from them and swaps to the next; the AdapterFusion domain composes two adapter domains'
 * production versions, pinned in its versions' configuration. One serving process holds every
 * kind's graph at once.
 */
class EveryKindEndToEndIT {
    private static final String SECOND_ADAPTER = "adapter-b";
    private static final Pattern PINNED = Pattern.compile("adapter@\\d+,adapter-b@\\d+");

    @Test
    void everyKindTrainsRegistersServesAndSwaps() throws Exception {
        Path dataDir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "kinds-" + UUID.randomUUID());
        Path data = Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77");
        List<LabeledText> all = JsonlDataset.read(data.resolve("train.jsonl"));
        List<String> intents = all.stream().map(LabeledText::label).distinct().limit(3).toList();
        List<LabeledText> train = StreamedRows.take(all, Set.copyOf(intents), 24);

        Map<String, ObjectNode> domains = new LinkedHashMap<>();
        for (DeltaKind kind : DeltaKind.values()) {
            ObjectNode config = RegistryClient.object().put("kind", kind.key());
            if (kind == DeltaKind.ADAPTER_FUSION) {
                config.putObject("hyperparameters").put("sources", domainOf(DeltaKind.ADAPTER) + "," + SECOND_ADAPTER);
            }
            domains.put(domainOf(kind), config);
        }
        domains.put(SECOND_ADAPTER, RegistryClient.object().put("kind", DeltaKind.ADAPTER.key()));

        try (LocalStack stack = LocalStack.start(dataDir, null, false, Topics.withDefaultPrefix(), 2,
                LocalStack.Ports.FREE, UpCommand.DEFS.defaults(), config -> config
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, 32)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(2)),
                System.out)) {
            RegistryClient registry = new RegistryClient(stack.registry.url(), stack.adminToken, Duration.ofSeconds(30));
            ServingClient serving = new ServingClient(stack.serving.url());
            domains.forEach((domain, config) -> {
                // Every candidate the trainer's gate lets through takes production: swaps are what is tested here.
                config.putObject("promotion").put("policy", "auto").put("margin", 1.0).put("minExamples", 1)
                        .put("minLabelCoverage", 0.0);
                registry.configure(domain, config);
            });

            List<LabeledText> first = train.subList(0, train.size() / 2);
            for (String domain : domains.keySet()) {
                PublishCommand.publish(stack.client, stack.topics.examples(), domain, first, 0, count -> { });
            }
            Map<String, Integer> firstServed = new LinkedHashMap<>();
            for (String domain : domains.keySet()) {
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> servedVersion(serving, domain) > 0);
                firstServed.put(domain, servedVersion(serving, domain));
            }
            for (String domain : domains.keySet()) {
                PublishCommand.publish(stack.client, stack.topics.examples(), domain,
                        train.subList(train.size() / 2, train.size()), 0, count -> { });
            }
            for (String domain : domains.keySet()) {
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> servedVersion(serving, domain) > firstServed.get(domain));
                JsonNode answer = serving.predictOne(domain, train.get(0).text());
                assertThat(intents).as("%s answers with one of its labels", domain).contains(answer.path("label").asText());
                assertThat(answer.path("version").asInt()).as(domain).isGreaterThan(firstServed.get(domain));
                JsonNode version = registry.version(domain, answer.path("version").asInt()).orElseThrow();
                assertThat(version.path("kind").asText()).as(domain).isEqualTo(domains.get(domain).path("kind").asText());
            }

            String fusion = domainOf(DeltaKind.ADAPTER_FUSION);
            JsonNode fused = registry.version(fusion, servedVersion(serving, fusion)).orElseThrow();
            assertThat(fused.path("hyperparameters").path("sources").asText())
                    .as("the sources' versions are pinned in the fusion's lineage").matches(PINNED);
            System.out.printf("Every kind end to end: served versions %s%n", domains.keySet().stream()
                    .map(domain -> domain + "=" + servedVersion(serving, domain)).toList());
        }
    }

    private static String domainOf(DeltaKind kind) {
        return kind.key().replace('_', '-');
    }

    private static int servedVersion(ServingClient serving, String domain) {
        JsonNode status = serving.status(domain);
        return status == null || status.path("activeVersion").isNull() ? 0 : status.path("activeVersion").asInt();
    }
}
