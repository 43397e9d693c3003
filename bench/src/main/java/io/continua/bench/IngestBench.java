package io.continua.bench;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.continua.ingest.IngestSettings;
import io.continua.ingest.stats.DomainStats;
import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.data.LabeledText;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.AvroSerde;
import io.continua.schemas.serde.RecordSerdes;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Records per second through the ingest topology on a real (embedded) broker: labeled examples
 * are published as fast as the producer goes, and the clock stops when ingest has accounted for
 * every one (accepted, rejected or counted as a duplicate).
 */
final class IngestBench {
    private static final String DOMAIN = "bench";

    private final List<LabeledText> texts;
    private final int records;
    private final Path workDir;
    private final PrintStream progress;

    IngestBench(List<LabeledText> texts, int records, Path workDir, PrintStream progress) {
        this.texts = texts;
        this.records = records;
        this.workDir = workDir;
        this.progress = progress;
    }

    BenchResult run() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(workDir.resolve("kafka")).build()) {
            kafka.start();
            Topics topics = Topics.withDefaultPrefix();
            kafka.createTopics(topics.newTopics(2, (short) 1));
            IngestConfig config = IngestConfig.defaults(kafka.bootstrapServers(), workDir).with(IngestSettings.PORT, 0);
            try (IngestService ingest = IngestService.start(config, vertx)) {
                ingest.awaitRunning(Duration.ofSeconds(60));
                progress.printf("ingest: publishing %d records ...%n", records);
                long started = System.nanoTime();
                publish(kafka, topics);
                double publishSeconds = (System.nanoTime() - started) / 1e9;
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (processed(ingest) < records) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Ingest processed only " + processed(ingest) + " of "
                                + records + " records in 10 minutes");
                    }
                    Thread.sleep(20);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                return new BenchResult("ingest")
                        .put("records_per_s", records / seconds)
                        .put("records", records)
                        .put("publish_per_s", records / publishSeconds)
                        .put("wall_s", seconds);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** Distinct texts (a suffix keeps dataset texts from repeating), so each record is accepted. */
    private void publish(EmbeddedKafka kafka, Topics topics) throws Exception {
        AvroSerde<LabeledExample> serde = RecordSerdes.labeledExample();
        Instant now = Instant.now();
        byte[] key = DOMAIN.getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                LabeledText row = texts.get(i % texts.size());
                LabeledExample example = LabeledExample.newBuilder().setId("b" + i).setDomain(DOMAIN)
                        .setText(row.text() + " #" + i).setLabel(row.label()).setEventTime(now).build();
                producer.send(new ProducerRecord<>(topics.examples(), key, serde.serialize(topics.examples(), example)));
            }
            producer.flush();
        }
    }

    private static long processed(IngestService ingest) {
        DomainStats stats = ingest.stats(DOMAIN).orElse(new DomainStats());
        return stats.acceptedCount() + stats.rejectedCount() + stats.duplicateCount();
    }
}
