package io.continua.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.schemas.SampleRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class RecordRoundTripIT {

    @Test
    void everyRecordTypeRoundTripsThroughTheBroker(EmbeddedKafka kafka) throws Exception {
        for (SpecificRecord record : SampleRecords.everyType()) {
            assertThat(roundTrip(kafka, record)).as(record.getClass().getSimpleName()).isEqualTo(record);
        }
    }

    @Test
    void nullStaysNullForTombstones() {
        AvroSerde<io.continua.schemas.DeltaVersion> serde = RecordSerdes.deltaVersion();
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> T roundTrip(EmbeddedKafka kafka, T record) throws Exception {
        AvroSerde<T> serde = RecordSerdes.of((Class<T>) record.getClass());
        String topic = "roundtrip-" + record.getClass().getSimpleName();
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), serde)) {
            producer.send(new ProducerRecord<>(topic, "key", record)).get();
        }
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), serde)) {
            consumer.subscribe(List.of(topic));
            List<T> received = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
            }
            assertThat(received).hasSize(1);
            return received.get(0);
        }
    }
}
