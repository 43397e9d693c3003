package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.trainer.TrainerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The whole system in one JVM, all real: embedded broker, registry, ingest, trainer, serving, secured
 * as {@code up --secure} secures it (every service its own SCRAM principal held to ACLs, the deltas
 * log signed by the registry and checked by serving; this test publishes as the client principal). Five
 * Banking77 intents stream in with one undecodable and one invalid record; versions get registered,
 * served predictions beat chance by far, a swap happens under load without a failed request, every
 * Kafka prediction names its version, and both bad records are dead-lettered with reasons.
 */
class EndToEndIT {
    private static final String DOMAIN = "banking";

    @Test
    void learnsFromTheStreamAndServesWhileItSwaps() throws Exception {
        Path dataDir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "e2e-" + UUID.randomUUID());
        Path data = Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77");
        List<String> intents = JsonlDataset.read(data.resolve("train.jsonl")).stream().map(LabeledText::label)
                .distinct().limit(5).toList();
        List<LabeledText> train = StreamedRows.take(JsonlDataset.read(data.resolve("train.jsonl")),
                Set.copyOf(intents), 60);
        List<LabeledText> test = StreamedRows.take(JsonlDataset.read(data.resolve("test.jsonl")),
                Set.copyOf(intents), 40);

        try (LocalStack stack = LocalStack.start(dataDir, null, true, Topics.withDefaultPrefix(), 2,
                LocalStack.Ports.FREE, UpCommand.DEFS.defaults(), config -> config
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, 64)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(2)),
                System.out)) {
            RegistryClient registry = new RegistryClient(stack.registry.url(), stack.adminToken, Duration.ofSeconds(30));
            ServingClient serving = new ServingClient(stack.serving.url());
            var config = RegistryClient.object().put("kind", "lora");
            // The stream is small (about 30 holdout examples in all): accept paired evidence on 10.
            config.putObject("promotion").put("policy", "auto").put("margin", 0.05).put("minExamples", 10);
            registry.configure(DOMAIN, config);
            Topics topics = stack.topics;
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(stack.client.client(Map.of()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.examples(), bytes(DOMAIN), new byte[] {1, 2, 3, 4})).get();
                LabeledExample invalid = LabeledExample.newBuilder().setId("x").setDomain(DOMAIN).setText("  ")
                        .setLabel("card_arrival").setEventTime(Instant.now()).build();
                raw.send(new ProducerRecord<>(topics.examples(), bytes(DOMAIN),
                        RecordSerdes.labeledExample().serialize(topics.examples(), invalid))).get();
            }
            List<LabeledText> first = train.subList(0, train.size() / 2);
            PublishCommand.publish(stack.client, topics.examples(), DOMAIN, first, 0, count -> { });
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> servedVersion(serving) > 0);
            int firstServed = servedVersion(serving);

            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            List<Integer> versionsSeen = Collections.synchronizedList(new ArrayList<>());
            Thread client = new Thread(() -> {
                while (sending.get()) {
                    try {
                        versionsSeen.add(serving.predictOne(DOMAIN, test.get(answered.get() % test.size()).text())
                                .path("version").asInt());
                        answered.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e.getMessage());
                    }
                }
            });
            client.start();
            PublishCommand.publish(stack.client, topics.examples(), DOMAIN, train.subList(train.size() / 2,
                    train.size()), 0, count -> { });
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> servedVersion(serving) > firstServed);
            // Keep the client running until it has been answered by the new version too.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> List.copyOf(versionsSeen).stream().anyMatch(version -> version > firstServed));
            sending.set(false);
            client.join();
            assertThat(failures).as("requests that failed during the swap").isEmpty();
            assertThat(versionsSeen).contains(firstServed).anyMatch(version -> version > firstServed);

            double accuracy = EvalCommand.score(serving, DOMAIN, test, null).accuracy();
            System.out.printf("End to end: served version %d, accuracy %.3f on %d test texts, %d requests during swaps%n",
                    servedVersion(serving), accuracy, test.size(), answered.get());
            assertThat(accuracy).as("five intents: chance is 0.2").isGreaterThan(0.6);
            assertThat(registry.allVersions(DOMAIN)).hasSizeGreaterThanOrEqualTo(2);

            assertKafkaPredictionsCarryVersions(stack, test);
            assertDeadLetters(stack);
            assertHoldAndReleaseFromTheCommandLine(stack, registry, serving, firstServed);
        }
    }

    /** `admin hold` takes production back to an earlier version and pins it; `admin release` lets the policy go on. */
    private static void assertHoldAndReleaseFromTheCommandLine(LocalStack stack, RegistryClient registry,
                                                               ServingClient serving, int version) {
        String[] admin = {"admin", "--registry-url", stack.registry.url(), "--registry-token", stack.adminToken};
        assertThat(Continua.commandLine().execute(concat(admin, "hold", "--domain", DOMAIN, "--version",
                Integer.toString(version), "--reason", "e2e: hold"))).isZero();
        JsonNode production = registry.aliases(DOMAIN).path("aliases").path("production");
        assertThat(production.path("version").asInt()).isEqualTo(version);
        assertThat(production.path("held").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> servedVersion(serving) == version);

        assertThat(Continua.commandLine().execute(concat(admin, "release", "--domain", DOMAIN))).isZero();
        production = registry.aliases(DOMAIN).path("aliases").path("production");
        assertThat(production.path("version").asInt()).isEqualTo(version);
        assertThat(production.path("held").asBoolean()).isFalse();
        List<JsonNode> moves = history(registry);
        List<String> reasons = moves.stream().map(move -> move.path("reason").asText()).toList();
        int hold = reasons.indexOf("e2e: hold");
        assertThat(reasons.get(hold + 1)).isEqualTo("released from the command line");
        // A release where the alias points keeps where it came from, so a rollback would still undo the hold's move.
        assertThat(moves.get(hold + 1).path("version").asInt()).isEqualTo(version);
        assertThat(moves.get(hold + 1).path("previousVersion").asInt())
                .isEqualTo(moves.get(hold).path("previousVersion").asInt()).isNotEqualTo(version);
    }

    private static List<JsonNode> history(RegistryClient registry) {
        List<JsonNode> moves = new ArrayList<>();
        registry.aliasHistory(DOMAIN, "production").path("history").forEach(moves::add);
        return moves;
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    private static void assertKafkaPredictionsCarryVersions(LocalStack stack, List<LabeledText> test) throws Exception {
        Topics topics = stack.topics;
        try (KafkaProducer<String, PredictionRequest> requests = new KafkaProducer<>(
                stack.client.client(Map.of()), new org.apache.kafka.common.serialization
                .StringSerializer(), RecordSerdes.predictionRequest());
             KafkaConsumer<String, Prediction> results = consumer(stack, RecordSerdes.prediction(),
                     topics.predictResults())) {
            for (int i = 0; i < 10; i++) {
                requests.send(new ProducerRecord<>(topics.predictRequests(), DOMAIN, PredictionRequest.newBuilder()
                        .setRequestId("e2e-" + i).setDomain(DOMAIN).setText(test.get(i).text())
                        .setEventTime(Instant.now()).build())).get();
            }
            List<Prediction> answers = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                results.poll(Duration.ofMillis(200)).forEach(record -> answers.add(record.value()));
                return answers.size() >= 10;
            });
            assertThat(answers).allSatisfy(prediction -> assertThat(prediction.getVersion()).isPositive());
        }
    }

    private static void assertDeadLetters(LocalStack stack) {
        try (KafkaConsumer<String, RejectedRecord> rejected = consumer(stack, RecordSerdes.rejectedRecord(),
                stack.topics.examplesRejected())) {
            List<RejectedRecord> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                rejected.poll(Duration.ofMillis(200)).forEach(record -> dead.add(record.value()));
                return dead.size() >= 2;
            });
            assertThat(dead).extracting(RejectedRecord::getReason).containsExactlyInAnyOrder("undecodable", "blank_text");
        }
    }

    private static int servedVersion(ServingClient serving) {
        JsonNode status = serving.status(DOMAIN);
        return status == null || status.path("activeVersion").isNull() ? 0 : status.path("activeVersion").asInt();
    }

    private static <V> KafkaConsumer<String, V> consumer(LocalStack stack,
                                                         org.apache.kafka.common.serialization.Deserializer<V> values,
                                                         String topic) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(stack.client.client(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "continua-client-e2e-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new StringDeserializer(), values);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
