package io.continua.schemas.confluent;

import io.continua.schemas.serde.SchemaCatalog;
import org.apache.avro.Schema;

/**
 * The global id a schema has in Continua's Schema-Registry-compatible API: derived from the schema's
 * parsing canonical form, so every registry instance, every restart and every service computes the
 * same id for the schemas a build ships without asking anyone. Derived ids lie in [2^30, 2^31): far
 * above the ids registries that count from 1 hand out (Confluent's, Karapace, Apicurio), so an id from
 * one of those is never taken for one of Continua's. The registry gives a schema registered by a
 * producer the next free id should two canonical forms ever share one.
 */
public final class SchemaIds {
    static final int FIRST = 1 << 30;

    private SchemaIds() {
    }

    /** The top 30 bits of the schema's 64-bit parsing fingerprint, above {@code 2^30}. */
    public static int of(Schema schema) {
        return FIRST | (int) (SchemaCatalog.fingerprint(schema) >>> 34);
    }
}
