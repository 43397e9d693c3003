package io.continua.ingest.topology;

import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DeadLetters;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Where the record being processed came from, for its dead letter. */
final class SourceRecord {
    private SourceRecord() {
    }

    /** The dead letter of the record being processed: its topic, partition, offset and original bytes. */
    static RejectedRecord rejected(ProcessorContext<?, ?> context, Record<byte[], byte[]> record, String domain,
                                   String reason, String detail) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        return DeadLetters.rejected(topic(context), metadata.map(RecordMetadata::partition).orElse(-1),
                metadata.map(RecordMetadata::offset).orElse(-1L), record.key(), record.value(), domain, reason, detail,
                ExampleProcessor.SERVICE);
    }

    static String topic(ProcessorContext<?, ?> context) {
        return context.recordMetadata().map(RecordMetadata::topic).orElse("");
    }
}
