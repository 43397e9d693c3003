package io.continua.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.SampleRecords;
import io.continua.schemas.serde.RecordSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class DeadLetteringDecoderIT {
    private static final String INPUT = "dlq-test.examples";
    private static final String DEAD_LETTERS = "dlq-test.examples.rejected";

    @Test
    void badRecordsAreDeadLetteredAndTheRecordsAfterThemStillArrive(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic(INPUT, 1);
        kafka.createTopic(DEAD_LETTERS, 1);
        byte[] good1 = encode("good-1");
        byte[] corrupt = Arrays.copyOf(encode("corrupt"), 14);
        byte[] unknownSchema = encode("unknown");
        unknownSchema[4] ^= 0x33;
        byte[] empty = new byte[0];
        List<byte[]> published = List.of(good1, corrupt, encode("good-2"), unknownSchema, empty, encode("good-3"));
        publish(kafka, published);

        List<String> decodedIds = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = rawConsumer(kafka);
             KafkaProducer<String, RejectedRecord> deadLetterProducer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                     new StringSerializer(), RecordSerdes.rejectedRecord())) {
            DeadLetteringDecoder<LabeledExample> decoder = new DeadLetteringDecoder<>(
                    RecordSerdes.labeledExample(), deadLetterProducer, DEAD_LETTERS, "test");
            consumer.subscribe(List.of(INPUT));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (decodedIds.size() < 3 && System.nanoTime() < deadline) {
                decoder.decode(consumer.poll(Duration.ofMillis(200))).forEach(r -> decodedIds.add(r.value().getId()));
                consumer.commitSync();
            }
        }

        assertThat(decodedIds).containsExactly("good-1", "good-2", "good-3");
        List<ConsumerRecord<String, RejectedRecord>> rejected = readDeadLetters(kafka, 3);
        assertThat(rejected).extracting(r -> r.value().getReason()).containsOnly(DeadLetters.UNDECODABLE);
        assertThat(rejected).extracting(r -> r.value().getSourceOffset()).containsExactly(1L, 3L, 4L);
        assertThat(rejected).extracting(r -> r.value().getDetail())
                .satisfiesExactly(
                        d -> assertThat(d).startsWith("CORRUPT"),
                        d -> assertThat(d).startsWith("UNKNOWN_SCHEMA"),
                        d -> assertThat(d).startsWith("EMPTY"));
        assertThat(toBytes(rejected.get(0).value().getOriginalValue())).isEqualTo(corrupt);
        assertThat(toBytes(rejected.get(1).value().getOriginalValue())).isEqualTo(unknownSchema);
        assertThat(rejected.get(0).value().getSourceTopic()).isEqualTo(INPUT);
        assertThat(rejected.get(0).key()).isEqualTo("banking");
    }

    private static byte[] encode(String id) {
        return RecordSerdes.labeledExample().serialize(INPUT, SampleRecords.labeledExample(id));
    }

    private static byte[] toBytes(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static void publish(EmbeddedKafka kafka, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(INPUT, "banking".getBytes(StandardCharsets.UTF_8), value)).get();
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> rawConsumer(EmbeddedKafka kafka) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<ConsumerRecord<String, RejectedRecord>> readDeadLetters(EmbeddedKafka kafka, int count) {
        try (KafkaConsumer<String, RejectedRecord> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), RecordSerdes.rejectedRecord())) {
            consumer.subscribe(List.of(DEAD_LETTERS));
            List<ConsumerRecord<String, RejectedRecord>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
