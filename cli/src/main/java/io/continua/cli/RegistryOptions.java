package io.continua.cli;

import io.continua.registry.auth.AdminTokenFile;
import io.continua.schemas.registry.RegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a command reaches the registry: its URL and a bearer token (by default the local stack's admin token). */
final class RegistryOptions {
    @Option(names = "--registry", defaultValue = "${env:CONTINUA_REGISTRY_URL:-http://127.0.0.1:8081}",
            description = "Registry URL (env CONTINUA_REGISTRY_URL, default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:CONTINUA_REGISTRY_TOKEN}",
            description = {"Registry bearer token (env CONTINUA_REGISTRY_TOKEN); by default the admin token",
                "a local stack saved in <data-dir>/registry/admin.token."})
    String token;

    RegistryClient client(Path dataDir) {
        return new RegistryClient(url, token != null ? token : localAdminToken(dataDir), Duration.ofSeconds(60));
    }

    private static String localAdminToken(Path dataDir) {
        Path file = AdminTokenFile.of(dataDir.resolve("registry"));
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }
}
