package io.continua.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

    @Test
    void restartsOnTheSameDataWithoutLosingCommittedRecordsOrOffsets() throws Exception {
        Path dir = EmbeddedKafkaExtension.testDataDir().resolve("restart-" + UUID.randomUUID());
        String topic = "restart-topic";
        String address;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir).build()) {
            address = kafka.start();
            kafka.createTopic(topic, 2);
            produce(address, topic, 0, 10);
            try (KafkaConsumer<String, String> consumer = consumer(address, "restart-group")) {
                consumer.subscribe(List.of(topic));
                assertThat(pollUntil(consumer, 4)).hasSizeGreaterThanOrEqualTo(4);
                consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2),
                        new TopicPartition(topic, 1), new OffsetAndMetadata(0)));
            }
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir).build()) {
            assertThat(kafka.start()).as("same address after restart").isEqualTo(address);
            produce(address, topic, 10, 15);
            try (KafkaConsumer<String, String> consumer = consumer(address, "fresh-group")) {
                consumer.subscribe(List.of(topic));
                assertThat(pollUntil(consumer, 15)).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrderElementsOf(values(0, 15));
            }
            try (KafkaConsumer<String, String> consumer = consumer(address, "restart-group")) {
                var committed = consumer.committed(java.util.Set.of(new TopicPartition(topic, 0)));
                assertThat(committed.get(new TopicPartition(topic, 0)).offset()).isEqualTo(2);
            }
        }
    }

    @Test
    void createsCompactedTopicsAndClosesIdempotently() throws Exception {
        Path dir = EmbeddedKafkaExtension.testDataDir().resolve("compact-" + UUID.randomUUID());
        EmbeddedKafka kafka = EmbeddedKafka.builder(dir).build();
        try (kafka) {
            String address = kafka.start();
            kafka.createCompactedTopic("compacted", 1);
            kafka.createCompactedTopic("compacted", 1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address))) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
                var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }
        }
        assertThatCode(kafka::close).doesNotThrowAnyException();
    }

    private static void produce(String address, String topic, int from, int until) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (String value : values(from, until)) {
                producer.send(new ProducerRecord<>(topic, value, value)).get();
            }
        }
    }

    private static List<String> values(int from, int until) {
        List<String> values = new ArrayList<>();
        for (int i = from; i < until; i++) {
            values.add("record-" + i);
        }
        return values;
    }

    private static KafkaConsumer<String, String> consumer(String address, String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}
