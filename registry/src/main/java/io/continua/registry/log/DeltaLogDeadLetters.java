package io.continua.registry.log;

import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DeadLetters;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.SignedTopicFollower.Refusals;
import io.continua.schemas.serde.RecordSerdes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing registry's dead letters for records of its log that it never applies (unsigned or
 * wrongly signed, a malformed key, undecodable bytes, a record under another record's key): each
 * goes to the dead-letter topic with its reason and original bytes. Every replay of the log
 * refuses them again, so a consumer of the dead letters deduplicates by source topic, partition
 * and offset.
 */
public final class DeltaLogDeadLetters implements Refusals, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeltaLogDeadLetters.class);

    private final KafkaProducer<String, RejectedRecord> producer;
    private final String deadLetterTopic;

    public DeltaLogDeadLetters(KafkaConnection kafka, String deadLetterTopic) {
        this.producer = new KafkaProducer<>(kafka.client(Map.of(ProducerConfig.ACKS_CONFIG, "all")),
                new StringSerializer(), RecordSerdes.rejectedRecord());
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public void refuse(ConsumerRecord<String, byte[]> record, String reason, String detail) {
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(deadLetterTopic, null, DeadLetters.rejected(record.topic(),
                record.partition(), record.offset(), key, record.value(), null, reason, detail, "registry")),
                (metadata, error) -> {
                    if (error != null) {
                        log.error("Cannot dead-letter {}@{} of {}: {}", record.key(), record.offset(), record.topic(),
                                error.getMessage());
                    }
                });
    }

    @Override
    public void close() {
        producer.close();
    }
}
