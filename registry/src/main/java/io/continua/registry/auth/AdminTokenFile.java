package io.continua.registry.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The admin token of a registry that was given no tokens: generated once, kept readable only by
 * its owner in {@code <registry dir>/admin.token}, where local tools find it.
 */
public final class AdminTokenFile {
    private AdminTokenFile() {
    }

    public static Path of(Path registryDir) {
        return registryDir.resolve("admin.token");
    }

    /** The saved token, or a new one saved first. */
    public static String readOrCreate(Path registryDir) {
        Path file = of(registryDir);
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            Files.createDirectories(registryDir);
            String token = randomSecret();
            Files.writeString(file, token + System.lineSeparator());
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the admin token file " + file, e);
        }
    }

    /** 24 random bytes in hex: a secret for a generated token. */
    public static String randomSecret() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }
}
