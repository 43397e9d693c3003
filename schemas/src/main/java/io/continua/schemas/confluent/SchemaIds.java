package io.continua.schemas.confluent;

import io.continua.schemas.serde.SchemaCatalog;
import org.apache.avro.Schema;

/**
 * The global id a schema has in Continua's Schema-Registry-compatible API: derived from the schema's
 * parsing canonical form, so every registry instance, every restart and every service computes the
 * same id for the schemas a build ships without asking anyone. (Ids only need to be stable and
 * positive: Confluent's clients treat them as opaque.) The registry gives a schema registered by a
 * producer the next free id should two canonical forms ever share one.
 */
public final class SchemaIds {
    private SchemaIds() {
    }

    /** A positive 31-bit id: the top bits of the schema's 64-bit parsing fingerprint. */
    public static int of(Schema schema) {
        int id = (int) (SchemaCatalog.fingerprint(schema) >>> 33);
        return id == 0 ? 1 : id;
    }
}
