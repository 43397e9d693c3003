package io.continua.registry.auth;

import java.util.Locale;

/**
 * What a token may do, each role all the ones before it: read (the default for everyone), schema (register
 * producers' schemas in the schemas API), write (uploads, alias moves), admin (everything).
 */
public enum Role {
    READ, SCHEMA, WRITE, ADMIN;

    public boolean allows(Role required) {
        return ordinal() >= required.ordinal();
    }

    public static Role fromKey(String key) {
        try {
            return valueOf(key.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown role '" + key + "'; expected read, schema, write or admin", e);
        }
    }
}
