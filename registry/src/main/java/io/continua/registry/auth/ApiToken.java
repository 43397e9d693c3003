package io.continua.registry.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A configured bearer token: a name (recorded as the actor of what it does), a role, and the
 * SHA-256 of its secret. The secret itself is not kept, printed or logged.
 */
public final class ApiToken {
    private final String name;
    private final Role role;
    private final byte[] secretHash;

    public ApiToken(String name, Role role, String secret) {
        if (name.isBlank() || secret.length() < 8) {
            throw new IllegalArgumentException("A token needs a name and a secret of at least 8 characters");
        }
        this.name = name;
        this.role = role;
        this.secretHash = hash(secret);
    }

    /** {@code name:role:secret}, as in the registry's token configuration. */
    public static ApiToken parse(String entry) {
        String[] parts = entry.trim().split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("A token is configured as name:role:secret");
        }
        return new ApiToken(parts[0], Role.fromKey(parts[1]), parts[2]);
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    /** Constant time in the secret: hashes are compared with {@link MessageDigest#isEqual}. */
    boolean matches(byte[] presentedHash) {
        return MessageDigest.isEqual(secretHash, presentedHash);
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "ApiToken[" + name + ", " + role + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApiToken token && token.name.equals(name) && token.role == role
                && Arrays.equals(token.secretHash, secretHash);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
