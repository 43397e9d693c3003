package io.continua.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a record this reader can decode. It carries the raw bytes and why, so the
 * caller can dead-letter the record and go on with the next one.
 */
public final class UndecodableRecordException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Reason {
        /** Zero bytes where a record was expected. */
        EMPTY,
        /** Not Avro single-object encoding (wrong marker or too short for its header). */
        NOT_SINGLE_OBJECT,
        /** Single-object encoded with a schema fingerprint no known version has, or a Confluent schema id no registry has. */
        UNKNOWN_SCHEMA,
        /** Written with a registered schema Continua's record cannot be read from (Avro's resolution rules). */
        INCOMPATIBLE_SCHEMA,
        /** The header is right but the body does not decode with the schema it names. */
        CORRUPT,
        /** A JSON record that is not an object of the record's fields, each of its type. */
        INVALID_JSON,
        /** None of the formats Continua reads. */
        UNKNOWN_FORMAT,
        /** A format this deployment does not accept (a setting restricts them). */
        FORMAT_NOT_ACCEPTED
    }

    private final Reason reason;
    private final transient byte[] rawBytes;

    public UndecodableRecordException(Reason reason, String detail, byte[] rawBytes, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
        this.rawBytes = rawBytes.clone();
    }

    public Reason reason() {
        return reason;
    }

    /** A copy of the bytes that failed to decode. */
    public byte[] rawBytes() {
        return rawBytes.clone();
    }
}
