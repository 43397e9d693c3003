package io.continua.schemas.serde;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an input record in whichever accepted format it comes: Avro single-object encoding, JSON,
 * or Confluent's wire format, told apart per record by its first bytes. What does not decode, or
 * comes in a format this deployment does not accept, throws {@link UndecodableRecordException} with
 * the reason, so that it is dead-lettered like any undecodable record. Thread-safe.
 */
public final class InputDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Class<T> type;
    private final AvroSerde<T> avro;
    private final Set<RecordFormat> accepted;
    private final boolean lenient;

    /**
     * @param lenient whether JSON fields the schema lacks are ignored: for Continua's own output, which a
     *                newer version may have extended; producers' input is held to the schema
     */
    public InputDeserializer(Class<T> type, AvroSerde<T> avro, Set<RecordFormat> accepted, boolean lenient) {
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("At least one record format must be accepted");
        }
        this.type = type;
        this.avro = avro;
        this.accepted = Set.copyOf(EnumSet.copyOf(accepted));
        this.lenient = lenient;
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
            case CONFLUENT -> throw new UndecodableRecordException(UndecodableRecordException.Reason.UNKNOWN_SCHEMA,
                    "Confluent wire format with schema id " + ByteBuffer.wrap(bytes, 1, 4).getInt()
                            + ", which this service cannot resolve: no Schema Registry to ask", bytes, null);
        };
    }
}
