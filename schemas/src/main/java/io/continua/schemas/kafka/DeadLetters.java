package io.continua.schemas.kafka;

import io.continua.schemas.RejectedRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Builds the dead-letter record for a refused input, keeping its original bytes and origin. */
public final class DeadLetters {
    /** The reason given to records whose bytes do not decode. */
    public static final String UNDECODABLE = "undecodable";

    private DeadLetters() {
    }

    public static RejectedRecord rejected(ConsumerRecord<byte[], byte[]> source, String domain, String reason,
                                          String detail, String rejectedBy) {
        return rejected(source.topic(), source.partition(), source.offset(), source.key(), source.value(), domain,
                reason, detail, rejectedBy);
    }

    /** For inputs that are not consumer records (a Kafka Streams record and its metadata). */
    public static RejectedRecord rejected(String topic, int partition, long offset, byte[] key, byte[] value,
                                          String domain, String reason, String detail, String rejectedBy) {
        return RejectedRecord.newBuilder()
                .setReason(reason)
                .setDetail(detail)
                .setDomain(domain)
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setRejectedBy(rejectedBy)
                .setRejectedAt(Instant.now())
                .build();
    }
}
