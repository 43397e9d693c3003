package io.continua.registry.auth;

import java.util.Locale;

/** What a token may do: read (the default for everyone), write (uploads, alias moves), admin (everything). */
public enum Role {
    READ, WRITE, ADMIN;

    public boolean allows(Role required) {
        return ordinal() >= required.ordinal();
    }

    public static Role fromKey(String key) {
        try {
            return valueOf(key.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown role '" + key + "'; expected read, write or admin", e);
        }
    }
}
