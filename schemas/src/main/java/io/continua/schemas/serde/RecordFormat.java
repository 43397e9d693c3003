package io.continua.schemas.serde;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The encodings Continua reads its input records in, told apart per record by their first bytes. */
public enum RecordFormat {
    /** Avro single-object encoding: {@code C3 01}, the writer schema's 64-bit fingerprint, the binary body. */
    SINGLE_OBJECT,
    /** Confluent's wire format: a {@code 00} byte, the writer schema's 4-byte id in a Schema Registry, the body. */
    CONFLUENT,
    /** A JSON object with the record's fields (UTF-8). */
    JSON;

    /** {@code single-object}, {@code confluent}, {@code json}: how settings name it. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RecordFormat fromKey(String key) {
        return Arrays.stream(values()).filter(format -> format.key().equals(key.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown record format '" + key + "'; expected one of "
                        + Arrays.stream(values()).map(RecordFormat::key).toList()));
    }

    /** The format {@code bytes} are in, by their first bytes (JSON may start with whitespace); empty if none. */
    public static Optional<RecordFormat> detect(byte[] bytes) {
        if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01) {
            return Optional.of(SINGLE_OBJECT);
        }
        if (bytes.length >= 5 && bytes[0] == 0) {
            return Optional.of(CONFLUENT);
        }
        // A UTF-8 byte order mark (files written on Windows) may come before the JSON.
        int start = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF
                ? 3 : 0;
        for (int i = start; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '{') {
                return Optional.of(JSON);
            }
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                break;
            }
        }
        return Optional.empty();
    }
}
