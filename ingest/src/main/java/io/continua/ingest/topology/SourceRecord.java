package io.continua.ingest.topology;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The record being processed as a consumer record, so a dead letter names its topic, partition and offset. */
final class SourceRecord {
    private SourceRecord() {
    }

    static ConsumerRecord<byte[], byte[]> of(ProcessorContext<?, ?> context, Record<byte[], byte[]> record) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        return new ConsumerRecord<>(topic(context), metadata.map(RecordMetadata::partition).orElse(-1),
                metadata.map(RecordMetadata::offset).orElse(-1L), record.timestamp(), TimestampType.CREATE_TIME, -1,
                -1, record.key(), record.value(), record.headers(), Optional.empty());
    }

    static String topic(ProcessorContext<?, ?> context) {
        return context.recordMetadata().map(RecordMetadata::topic).orElse("");
    }
}
