package io.continua.schemas.confluent;

/**
 * A Schema Registry holds the id, but not as a schema Continua can read records with (another schema
 * type, or an Avro schema this Avro rejects). Ids never change meaning, so this is final: records
 * written with it are dead-lettered.
 */
public final class UnusableSchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnusableSchemaException(String message) {
        super(message);
    }
}
