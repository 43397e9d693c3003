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
        return RejectedRecord.newBuilder()
                .setReason(reason)
                .setDetail(detail)
                .setDomain(domain)
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setOriginalKey(source.key() == null ? null : ByteBuffer.wrap(source.key()))
                .setOriginalValue(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setRejectedBy(rejectedBy)
                .setRejectedAt(Instant.now())
                .build();
    }
}
