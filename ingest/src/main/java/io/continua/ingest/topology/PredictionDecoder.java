package io.continua.ingest.topology;

import io.continua.schemas.Prediction;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.kafka.DeadLetters;
import io.continua.schemas.serde.InputDeserializer;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.schemas.serde.UndecodableRecordException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes {@code predict.results}, keyed by request id, in whichever format serving writes them
 * ({@code output.format}: Avro single-object, Confluent's wire format or JSON); an undecodable one
 * becomes a dead letter.
 */
final class PredictionDecoder implements Processor<byte[], byte[], String, SpecificRecord> {
    private final InputDeserializer<Prediction> serde;
    private ProcessorContext<String, SpecificRecord> context;

    PredictionDecoder(ConfluentSchemas schemas) {
        this.serde = RecordSerdes.output(Prediction.class, schemas);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            Prediction prediction = serde.deserialize(SourceRecord.topic(context), record.value());
            if (prediction != null) {
                context.forward(new Record<>(prediction.getRequestId(), prediction, record.timestamp()));
            }
        } catch (UndecodableRecordException e) {
            context.forward(new Record<>(null, SourceRecord.rejected(context, record, null, DeadLetters.UNDECODABLE,
                    e.reason() + ": " + e.getMessage()), record.timestamp()));
        }
    }
}
