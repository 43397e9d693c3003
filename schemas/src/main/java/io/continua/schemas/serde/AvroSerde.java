package io.continua.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated record type in Avro single-object encoding (a marker, the writer
 * schema's 64-bit fingerprint, then the binary body). Decoding resolves any writer version the
 * {@link SchemaCatalog} knows into this reader's schema. A null value stays null (tombstones);
 * anything else that does not decode throws {@link UndecodableRecordException}. Thread-safe.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private static boolean trusted;

    static {
        trustContinuaRecords();
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type, SchemaCatalog catalog) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, catalog);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            encoder.encode(record, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + type.getSimpleName(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 0) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.EMPTY,
                    "Empty payload where a " + type.getSimpleName() + " was expected", bytes, null);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.UNKNOWN_SCHEMA,
                    "No known schema version matches the writer's fingerprint: " + e.getMessage(), bytes, e);
        } catch (BadHeaderException e) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.NOT_SINGLE_OBJECT,
                    "Not Avro single-object encoding: " + e.getMessage(), bytes, e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException e) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.CORRUPT,
                    "Corrupt " + type.getSimpleName() + " body: " + e, bytes, e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Configured at construction: the record type and the schema catalog.
    }

    @Override
    public void close() {
        // Nothing to release: encoders and decoders hold no resources.
    }

    /**
     * Avro 1.12 refuses to instantiate classes it does not trust, while decoding and when a builder copies a
     * nested record; ours are safe. Runs when the first serde is made; code that builds nested records before any
     * serde exists (unit tests, tools) calls it first. Idempotent.
     */
    public static synchronized void trustContinuaRecords() {
        if (trusted) {
            return;
        }
        trusted = true;
        String continua = "io.continua.schemas";
        ClassSecurityValidator.ClassSecurityPredicate ours = c -> c.getPackageName().equals(continua);
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours));
    }
}
