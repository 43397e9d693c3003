package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Runs {@code continua kafka} as its own process, as a user would, and produces to what it prints. */
class KafkaCommandIT {
    private static final Pattern READY = Pattern.compile("Bootstrap servers: (\\S+)");

    @Test
    void printsABootstrapAddressThatAcceptsRecordsAndStopsOnSignal() throws Exception {
        Path dataDir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "cli-" + UUID.randomUUID());
        Files.createDirectories(dataDir);
        Path output = dataDir.resolve("output.txt");
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                Continua.class.getName(), "kafka", "--kafka-port", "0", "--data-dir", dataDir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            String bootstrap = awaitBootstrap(output);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000"), new StringSerializer(), new StringSerializer())) {
                RecordMetadata sent = producer.send(new ProducerRecord<>("cli-smoke", "k", "v")).get(30, TimeUnit.SECONDS);
                assertThat(sent.offset()).isZero();
            }
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        assertThat(dataDir.resolve("kafka").resolve("log").resolve("meta.properties")).exists();
    }

    private static String awaitBootstrap(Path output) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher ready = READY.matcher(Files.readString(output));
            if (ready.find()) {
                return ready.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("continua kafka never printed its address; output:\n" + Files.readString(output));
    }
}
