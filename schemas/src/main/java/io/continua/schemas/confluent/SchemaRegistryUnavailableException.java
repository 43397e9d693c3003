package io.continua.schemas.confluent;

/**
 * The Schema Registry could not be asked (down, unreachable, an unexpected answer): unlike an unknown
 * id, this says nothing about the record, so the record must be retried rather than dead-lettered.
 */
public final class SchemaRegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
