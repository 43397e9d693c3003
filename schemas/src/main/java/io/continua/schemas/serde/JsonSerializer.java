package io.continua.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes records as JSON objects of their fields (timestamps ISO-8601, enums as symbols), for
 * consumers without Avro; {@link InputDeserializer} reads them back. A null value stays null.
 */
public final class JsonSerializer<T extends SpecificRecord> implements Serializer<T> {
    @Override
    public byte[] serialize(String topic, T record) {
        return record == null ? null : JsonRecords.write(record);
    }
}
