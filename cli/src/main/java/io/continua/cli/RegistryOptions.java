package io.continua.cli;

import io.continua.registry.auth.AdminTokenFile;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** How a command reaches the registry: its URL and a bearer token (by default the local stack's admin token). */
final class RegistryOptions {
    static final SettingDefs DEFS = SettingDefs.of("registry client", List.of(SharedSettings.REGISTRY_URL,
            SharedSettings.REGISTRY_TOKEN, SharedSettings.DATA_DIR));

    private RegistryOptions() {
    }

    /** A client with the configured token, else the admin token a local stack saved under the data directory. */
    static RegistryClient client(SettingValues settings) {
        String token = settings.get(SharedSettings.REGISTRY_TOKEN);
        return new RegistryClient(settings.get(SharedSettings.REGISTRY_URL),
                token != null ? token : localAdminToken(settings.get(SharedSettings.DATA_DIR)),
                Duration.ofSeconds(60));
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
