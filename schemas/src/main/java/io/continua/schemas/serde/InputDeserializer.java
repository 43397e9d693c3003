package io.continua.schemas.serde;

import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.confluent.ConfluentWireFormat;
import io.continua.schemas.confluent.ReadCompatibility;
import io.continua.schemas.confluent.UnusableSchemaException;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an input record in whichever accepted format it comes: Avro single-object encoding, JSON,
 * or Confluent's wire format (its schema id resolved by {@link ConfluentSchemas}), told apart per
 * record by its first bytes. What does not decode, or comes in a format this deployment does not
 * accept, throws {@link UndecodableRecordException} with the reason, so that it is dead-lettered like
 * any undecodable record; a Schema Registry that cannot be asked throws
 * {@link io.continua.schemas.confluent.SchemaRegistryUnavailableException}, so that the record is
 * retried instead. Thread-safe.
 */
public final class InputDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Class<T> type;
    private final AvroSerde<T> avro;
    private final Set<RecordFormat> accepted;
    private final boolean lenient;
    private final ConfluentSchemas schemas;
    private final SpecificData model;
    /** A reader per writer schema id, or why that writer's records cannot be read as {@code T}. */
    private final ConcurrentMap<Integer, Writer<T>> readers = new ConcurrentHashMap<>();

    /** Records written with one schema id: a reader of them, or why they cannot be read as {@code T}. */
    private record Writer<T>(SpecificDatumReader<T> reader, String problem) {
    }

    /**
     * @param lenient whether JSON fields the schema lacks are ignored: for Continua's own output, which a
     *                newer version may have extended; producers' input is held to the schema
     * @param schemas resolves the schema ids of Confluent-format records
     */
    public InputDeserializer(Class<T> type, AvroSerde<T> avro, Set<RecordFormat> accepted, boolean lenient,
                             ConfluentSchemas schemas) {
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("At least one record format must be accepted");
        }
        this.type = type;
        this.avro = avro;
        this.accepted = Set.copyOf(EnumSet.copyOf(accepted));
        this.lenient = lenient;
        this.schemas = schemas;
        this.model = SpecificData.getForClass(type);
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return avro.deserialize(topic, bytes);
        }
        Optional<RecordFormat> format = RecordFormat.detect(bytes);
        if (format.isEmpty()) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.UNKNOWN_FORMAT, String.format(
                    "Starts with %02x: neither Avro single-object encoding (c3 01), Confluent's wire format (00 and a "
                            + "schema id) nor a JSON object (one object per record)", bytes[0]), bytes, null);
        }
        if (!accepted.contains(format.get())) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.FORMAT_NOT_ACCEPTED,
                    "A " + format.get().key() + " record; this deployment accepts " + accepted.stream()
                            .map(RecordFormat::key).sorted().collect(Collectors.joining(", ")), bytes, null);
        }
        return switch (format.get()) {
            case SINGLE_OBJECT -> avro.deserialize(topic, bytes);
            case JSON -> JsonRecords.read(type, bytes, lenient);
            case CONFLUENT -> confluent(bytes);
        };
    }

    private T confluent(byte[] bytes) {
        int id = ConfluentWireFormat.schemaId(bytes);
        Writer<T> writer = readers.get(id);
        if (writer == null) {
            writer = resolve(id, bytes);
            readers.put(id, writer);
        }
        if (writer.problem() != null) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.INCOMPATIBLE_SCHEMA,
                    writer.problem(), bytes, null);
        }
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(bytes, ConfluentWireFormat.HEADER_BYTES,
                bytes.length - ConfluentWireFormat.HEADER_BYTES, null);
        try {
            T record = writer.reader().read(null, body);
            if (!body.isEnd()) {
                throw new UndecodableRecordException(UndecodableRecordException.Reason.CORRUPT, "Bytes left after a "
                        + type.getSimpleName() + " written with schema id " + id, bytes, null);
            }
            return record;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException e) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.CORRUPT,
                    "Corrupt " + type.getSimpleName() + " body for schema id " + id + ": " + e, bytes, e);
        }
    }

    /**
     * A reader of records written with schema {@code id}, or why there is none; an id no registry knows is not
     * kept, as it may be registered later.
     */
    private Writer<T> resolve(int id, byte[] bytes) {
        Optional<Schema> writer;
        try {
            writer = schemas.byId(id);
        } catch (UnusableSchemaException e) {
            return new Writer<>(null, e.getMessage());
        }
        if (writer.isEmpty()) {
            throw new UndecodableRecordException(UndecodableRecordException.Reason.UNKNOWN_SCHEMA,
                    "Confluent wire format with schema id " + id + ", which " + schemas.source() + " does not have",
                    bytes, null);
        }
        Schema reader = model.getSchema(type);
        List<String> problems = ReadCompatibility.problems(reader, writer.get());
        if (!problems.isEmpty()) {
            return new Writer<>(null, "Schema id " + id + " (" + writer.get().getFullName() + ") cannot be read as "
                    + "Continua's " + reader.getFullName() + ": " + String.join("; ", problems));
        }
        return new Writer<>(new SpecificDatumReader<>(writer.get(), reader, model), null);
    }
}
