package io.continua.schemas.kafka;

import io.continua.schemas.RejectedRecord;
import io.continua.schemas.serde.UndecodableRecordException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a polled batch of raw records; a record that does not decode goes to the dead-letter
 * topic with its bytes and reason instead of stopping the consumer. Consume with byte-array
 * deserializers and pass each batch here. Dead letters are flushed before {@link #decode} returns,
 * so committing the batch's offsets afterwards loses nothing.
 */
public final class DeadLetteringDecoder<V> {
    private static final Logger log = LoggerFactory.getLogger(DeadLetteringDecoder.class);

    private final Deserializer<V> values;
    private final Producer<String, RejectedRecord> deadLetters;
    private final String deadLetterTopic;
    private final String service;

    public DeadLetteringDecoder(Deserializer<V> values, Producer<String, RejectedRecord> deadLetters,
                                String deadLetterTopic, String service) {
        this.values = values;
        this.deadLetters = deadLetters;
        this.deadLetterTopic = deadLetterTopic;
        this.service = service;
    }

    /** The batch's decodable records, keys read as UTF-8, in the batch's order. */
    public List<ConsumerRecord<String, V>> decode(ConsumerRecords<byte[], byte[]> batch) {
        List<ConsumerRecord<String, V>> decoded = new ArrayList<>(batch.count());
        boolean rejected = false;
        for (ConsumerRecord<byte[], byte[]> raw : batch) {
            Optional<ConsumerRecord<String, V>> record = decode(raw);
            record.ifPresent(decoded::add);
            rejected |= record.isEmpty();
        }
        if (rejected) {
            deadLetters.flush();
        }
        return decoded;
    }

    /**
     * One record, decoded, or empty once it has been sent to the dead-letter topic (not yet flushed:
     * flush the producer before committing past it).
     */
    public Optional<ConsumerRecord<String, V>> decode(ConsumerRecord<byte[], byte[]> raw) {
        String key = raw.key() == null ? null : new String(raw.key(), StandardCharsets.UTF_8);
        try {
            V value = values.deserialize(raw.topic(), raw.headers(), raw.value());
            return Optional.of(new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
                    raw.timestampType(), raw.serializedKeySize(), raw.serializedValueSize(), key, value,
                    raw.headers(), raw.leaderEpoch()));
        } catch (UndecodableRecordException e) {
            log.warn("Dead-lettering undecodable record {}-{}@{}: {} ({})", raw.topic(), raw.partition(),
                    raw.offset(), e.reason(), e.getMessage());
            RejectedRecord rejected = DeadLetters.rejected(raw, null, DeadLetters.UNDECODABLE,
                    e.reason() + ": " + e.getMessage(), service);
            deadLetters.send(new ProducerRecord<>(deadLetterTopic, key, rejected));
            return Optional.empty();
        }
    }
}
