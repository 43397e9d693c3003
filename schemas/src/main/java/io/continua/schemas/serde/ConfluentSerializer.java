package io.continua.schemas.serde;

import io.continua.schemas.confluent.ConfluentWireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes records in Confluent's wire format with the schema id a Schema Registry gave the record's
 * schema, for consumers using Confluent's deserializers in any language. A null value stays null.
 * Thread-safe.
 */
public final class ConfluentSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final byte[] header;
    private final SpecificDatumWriter<T> writer;

    /** @param schemaId the id of {@code type}'s schema in the registry its consumers ask */
    public ConfluentSerializer(Class<T> type, int schemaId) {
        SpecificData model = SpecificData.getForClass(type);
        this.header = ConfluentWireFormat.header(schemaId);
        this.writer = new SpecificDatumWriter<>(model.getSchema(type), model);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(header);
            BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(record, body);
            body.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + record.getSchema().getName(), e);
        }
    }
}
