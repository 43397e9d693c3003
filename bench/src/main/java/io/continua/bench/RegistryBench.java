package io.continua.bench;

import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.kafka.DeltaLog;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Registry figures on an embedded broker: uploads per second of a LoRA archive (validated,
 * stored and appended each time), and how long after an alias move's HTTP response the move is
 * readable from the deltas topic.
 */
final class RegistryBench {
    private static final String TOKEN = "bench-writer-secret";

    private final int uploads;
    private final int moves;
    private final Path workDir;
    private final PrintStream progress;

    RegistryBench(int uploads, int moves, Path workDir, PrintStream progress) {
        this.uploads = uploads;
        this.moves = moves;
        this.workDir = workDir;
        this.progress = progress;
    }

    /** A benchmark's registry: on a free port, with one admin token. */
    static RegistryConfig registryConfig(EmbeddedKafka kafka, Path workDir, String adminToken) {
        return RegistryConfig.defaults(kafka.bootstrapServers(), workDir).with(RegistrySettings.PORT, 0)
                .with(RegistrySettings.TOKENS, List.of("bench:admin:" + adminToken));
    }

    BenchResult run() throws Exception {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        Vertx vertx = Vertx.vertx();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(workDir.resolve("kafka")).build()) {
            kafka.start();
            Topics topics = Topics.withDefaultPrefix();
            kafka.createTopics(topics.newTopics(1, (short) 1));
            RegistryConfig config = registryConfig(kafka, workDir, TOKEN);
            try (RegistryService registry = RegistryService.start(config, encoder, vertx)) {
                RegistryClient client = new RegistryClient(registry.url(), TOKEN, Duration.ofSeconds(30));
                List<byte[]> archives = new ArrayList<>();
                for (int i = 0; i < uploads; i++) {
                    Delta delta = Delta.initialize(LoraConfig.defaults(), encoder.architecture(),
                            List.of("a", "b", "c"), i);
                    archives.add(DeltaArtifact.pack(delta, encoder.fingerprint(), Optional.empty()).bytes());
                }
                progress.printf("registry: %d uploads of %d-byte LoRA archives ...%n", uploads, archives.get(0).length);
                long started = System.nanoTime();
                for (byte[] archive : archives) {
                    client.upload("bench", archive, RegistryClient.object());
                }
                double uploadSeconds = (System.nanoTime() - started) / 1e9;
                progress.printf("registry: %d alias moves ...%n", moves);
                double[] latencies = aliasEventLatencies(kafka, topics, client);
                return new BenchResult("registry")
                        .put("uploads_per_s", uploads / uploadSeconds)
                        .put("artifact_bytes", archives.get(0).length)
                        .put("alias_event_p50_ms", Percentiles.of(latencies, 50))
                        .put("alias_event_p99_ms", Percentiles.of(latencies, 99))
                        .put("alias_moves", moves);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** Milliseconds from each move's HTTP response until a tailing consumer reads its pointer. */
    private double[] aliasEventLatencies(EmbeddedKafka kafka, Topics topics, RegistryClient client) {
        String key = DeltaLog.aliasKey("bench", "production");
        double[] latencies = new double[moves];
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10"), new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topics.deltas(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            for (int i = 0; i < moves; i++) {
                int version = 1 + i % uploads;
                client.moveAlias("bench", "production", version, "bench move " + i);
                long answered = System.nanoTime();
                boolean seen = false;
                while (!seen) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                        seen |= record.key().equals(key);
                    }
                }
                latencies[i] = (System.nanoTime() - answered) / 1e6;
            }
        }
        return latencies;
    }
}
