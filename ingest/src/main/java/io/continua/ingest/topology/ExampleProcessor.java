package io.continua.ingest.topology;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.validate.ExampleValidator;
import io.continua.ingest.validate.RejectionReason;
import io.continua.ingest.validate.TextNormalizer;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.serde.InputDeserializer;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.schemas.serde.UndecodableRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes (in any accepted format: Avro single-object, Confluent's wire format, JSON), validates and
 * normalizes what producers publish. Emits either a normalized {@link LabeledExample} or, for a record
 * that fails, a {@link RejectedRecord} with the reason and the original bytes, keyed by its domain when
 * it names a valid one, else by its key. Counting happens after the records are repartitioned by domain
 * ({@link RejectionCounter}, {@link DedupProcessor}).
 */
final class ExampleProcessor implements Processor<byte[], byte[], String, SpecificRecord> {
    static final String SERVICE = "ingest";

    private final ExampleValidator validator;
    private final InputDeserializer<LabeledExample> serde;
    private ProcessorContext<String, SpecificRecord> context;

    ExampleProcessor(IngestConfig config) {
        this.validator = new ExampleValidator(config);
        this.serde = RecordSerdes.input(LabeledExample.class, config.inputFormats(), config.confluentSchemas());
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        LabeledExample example;
        try {
            example = serde.deserialize(SourceRecord.topic(context), record.value());
            if (example == null) {
                throw new UndecodableRecordException(UndecodableRecordException.Reason.EMPTY,
                        "A null value (tombstone) is not an example", new byte[0], null);
            }
        } catch (UndecodableRecordException e) {
            reject(record, key, null, RejectionReason.UNDECODABLE, e.reason() + ": " + e.getMessage());
            return;
        }
        String text = TextNormalizer.normalize(example.getText() == null ? "" : example.getText());
        Optional<ExampleValidator.Rejection> rejection = validator.check(key, example, text, Instant.now());
        if (rejection.isPresent()) {
            String domain = DomainNames.isValid(example.getDomain()) ? example.getDomain() : null;
            reject(record, key, domain, rejection.get().reason(), rejection.get().detail());
            return;
        }
        LabeledExample normalized = LabeledExample.newBuilder(example)
                .setText(text)
                .setLabel(example.getLabel().strip())
                .setSplit(null)
                .build();
        context.forward(new Record<>(example.getDomain(), normalized, record.timestamp(), record.headers()));
    }

    private void reject(Record<byte[], byte[]> record, String key, String domain, RejectionReason reason,
                        String detail) {
        RejectedRecord rejected = SourceRecord.rejected(context, record, domain, reason.code(), detail);
        context.forward(new Record<String, SpecificRecord>(domain != null ? domain : key, rejected, record.timestamp()));
    }
}
