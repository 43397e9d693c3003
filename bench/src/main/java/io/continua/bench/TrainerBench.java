package io.continua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.data.LabeledText;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryService;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Split;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.trainer.TrainerConfig;
import io.continua.trainer.TrainerService;
import io.continua.trainer.TrainerSettings;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Freshness: how long after a batch of labeled examples is published a registered version includes
 * them (its lineage reaches past the batch's last offset), for each delta kind; how many
 * examples per second updates take in; and freshness across 100 domains sharing one trainer with a
 * busy one.
 */
final class TrainerBench {
    private static final String TOKEN = "bench-trainer-admin";
    private static final int MANY_DOMAINS = 100;
    private static final int FLOOD = 2_000;

    private final List<LabeledText> texts;
    private final int batch;
    private final int rounds;
    private final Path workDir;
    private final PrintStream progress;

    TrainerBench(List<LabeledText> texts, int batch, int rounds, Path workDir, PrintStream progress) {
        this.texts = texts;
        this.batch = batch;
        this.rounds = rounds;
        this.workDir = workDir;
        this.progress = progress;
    }

    BenchResult run() throws Exception {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        Vertx vertx = Vertx.vertx();
        BenchResult result = new BenchResult("trainer");
        Map<String, Double> trainPerSecond = new LinkedHashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(workDir.resolve("kafka")).build()) {
            kafka.start();
            Topics topics = Topics.withDefaultPrefix();
            kafka.createTopics(topics.newTopics(2, (short) 1));
            try (RegistryService registry = RegistryService.start(
                    RegistryBench.registryConfig(kafka, workDir, TOKEN), encoder, vertx);
                 KafkaProducer<String, LabeledExample> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
                         "all"), new StringSerializer(), RecordSerdes.labeledExample())) {
                RegistryClient client = new RegistryClient(registry.url(), TOKEN, Duration.ofSeconds(30));
                TrainerConfig config = TrainerConfig.defaults(kafka.bootstrapServers(), registry.url(), TOKEN)
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, batch)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(1))
                        .with(TrainerSettings.STEPS_PER_UPDATE, 10)
                        .with(TrainerSettings.PORT, 0)
                        .with(TrainerSettings.SESSION_TIMEOUT, Duration.ofSeconds(10))
                        .with(TrainerSettings.GATE_MARGIN, 1.0)
                        .with(TrainerSettings.MAX_FORGETTING, 1.0);
                try (TrainerService trainer = TrainerService.start(config, encoder, vertx)) {
                    for (String kind : List.of("head", "lora")) {
                        String domain = "fresh-" + kind;
                        client.configure(domain, RegistryClient.object().put("kind", kind));
                        double[] latencies = new double[rounds];
                        for (int round = 0; round < rounds; round++) {
                            long published = System.nanoTime();
                            RecordMetadata last = publish(producer, topics, domain, round);
                            awaitCovered(client, domain, last);
                            latencies[round] = (System.nanoTime() - published) / 1e9;
                            progress.printf("trainer: %s round %d fresh after %.2f s%n", kind, round + 1,
                                    latencies[round]);
                        }
                        result.put(kind + "_freshness_p50_s", Percentiles.of(latencies, 50))
                                .put(kind + "_freshness_p95_s", Percentiles.of(latencies, 95));
                        trainPerSecond.put(kind, trainRate(client, domain));
                    }
                    measureManyDomains(client, producer, topics, result);
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        return result.put("freshness_p50_s", result.figures().get("lora_freshness_p50_s"))
                .put("freshness_p95_s", result.figures().get("lora_freshness_p95_s"))
                .put("train_per_s", trainPerSecond)
                .put("batch", batch);
    }

    /**
     * Fairness: {@value #MANY_DOMAINS} quiet domains get {@code batch} new examples each at the same moment as one
     * busy domain gets {@value #FLOOD} of them; freshness is measured per quiet domain, from the end of publishing
     * to a version covering its examples. The domains are {@code head} deltas (what many small domains run); the
     * trainer's scheduler must serve each of them while the busy one and consolidation also want the worker.
     */
    private void measureManyDomains(RegistryClient client, KafkaProducer<String, LabeledExample> producer,
                                    Topics topics, BenchResult result) throws Exception {
        List<String> quiet = new ArrayList<>();
        for (int i = 0; i < MANY_DOMAINS; i++) {
            quiet.add(String.format(Locale.ROOT, "many-%03d", i));
        }
        for (String domain : quiet) {
            client.configure(domain, RegistryClient.object().put("kind", "head"));
        }
        client.configure("busy", RegistryClient.object().put("kind", "head"));
        List<Double> freshness = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            progress.printf("trainer: %d domains with %d new examples each, one with %d, round %d ...%n",
                    MANY_DOMAINS, batch, FLOOD, round + 1);
            publish(producer, topics, "busy", round, FLOOD);
            Map<String, RecordMetadata> last = new LinkedHashMap<>();
            for (String domain : quiet) {
                last.put(domain, publish(producer, topics, domain, round, batch));
            }
            long published = System.nanoTime();
            long deadline = published + Duration.ofMinutes(10).toNanos();
            while (!last.isEmpty() && System.nanoTime() < deadline) {
                for (var iterator = last.entrySet().iterator(); iterator.hasNext(); ) {
                    var domain = iterator.next();
                    if (covered(client, domain.getKey(), domain.getValue())) {
                        freshness.add((System.nanoTime() - published) / 1e9);
                        iterator.remove();
                    }
                }
                Thread.sleep(200);
            }
            if (!last.isEmpty()) {
                throw new IllegalStateException(last.size() + " domains had no fresh version in 10 minutes: "
                        + last.keySet());
            }
            progress.printf("trainer: round %d, all %d domains fresh after %.1f s%n", round + 1, MANY_DOMAINS,
                    (System.nanoTime() - published) / 1e9);
        }
        double[] seconds = freshness.stream().mapToDouble(Double::doubleValue).toArray();
        result.put("freshness_p50_s_100_domains", Percentiles.of(seconds, 50))
                .put("freshness_p99_s_100_domains", Percentiles.of(seconds, 99))
                .put("freshness_max_s_100_domains", Percentiles.of(seconds, 100));
    }

    private RecordMetadata publish(KafkaProducer<String, LabeledExample> producer, Topics topics, String domain,
                                   int round) throws Exception {
        return publish(producer, topics, domain, round, batch);
    }

    private RecordMetadata publish(KafkaProducer<String, LabeledExample> producer, Topics topics, String domain,
                                   int round, int count) throws Exception {
        java.util.concurrent.Future<RecordMetadata> last = null;
        for (int i = 0; i < count; i++) {
            LabeledText row = texts.get((round * count + i) % texts.size());
            last = producer.send(new ProducerRecord<>(topics.examplesAccepted(), domain, LabeledExample.newBuilder()
                    .setId(domain + "-" + round + "-" + i).setDomain(domain).setText(row.text())
                    .setLabel(row.label()).setEventTime(Instant.now()).setSplit(Split.TRAIN).build()));
        }
        producer.flush();
        return last.get();
    }

    private static void awaitCovered(RegistryClient client, String domain, RecordMetadata last)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (covered(client, domain, last)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("No version of " + domain + " covered offset " + last.offset() + " in 5 minutes");
    }

    /** Whether a registered version of the domain learned from the record at {@code last}. */
    private static boolean covered(RegistryClient client, String domain, RecordMetadata last) {
        if (client.domain(domain).isEmpty()) {
            return false;
        }
        for (JsonNode version : client.allVersions(domain)) {
            for (JsonNode range : version.path("trainedOn")) {
                if (range.path("partition").asInt() == last.partition()
                        && range.path("untilOffset").asLong() > last.offset()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Examples taken in per second of update wall time, over every registered version. */
    private static double trainRate(RegistryClient client, String domain) {
        double examples = 0;
        double millis = 0;
        for (JsonNode version : client.allVersions(domain)) {
            examples += version.path("metrics").path("examples_trained").asDouble();
            millis += version.path("trainWallMs").asDouble();
        }
        return millis == 0 ? Double.NaN : examples / (millis / 1000);
    }
}
