package io.continua.registry;

import io.continua.registry.auth.ApiToken;
import io.continua.schemas.kafka.Topics;
import java.nio.file.Path;
import java.util.List;

/**
 * The registry's settings; the CLI maps each to a flag and an environment variable.
 *
 * @param dir              where blobs and upload scratch files live ({@code <data-dir>/registry})
 * @param tokens           bearer tokens; empty means a generated admin token saved in {@code dir/admin.token}
 * @param readOnly         serve reads only (a second instance beside the writer)
 * @param transactionalId  the writer's transactional id: every writer of one log must share it
 */
public record RegistryConfig(String bootstrapServers, Topics topics, Path dir, String host, int httpPort,
                             List<ApiToken> tokens, boolean readOnly, long maxArtifactBytes, String transactionalId) {
    public static final long DEFAULT_MAX_ARTIFACT_BYTES = 64L * 1024 * 1024;

    public RegistryConfig {
        tokens = List.copyOf(tokens);
    }

    public static RegistryConfig defaults(String bootstrapServers, Path dataDir) {
        return new RegistryConfig(bootstrapServers, Topics.withDefaultPrefix(), dataDir.resolve("registry"), "0.0.0.0",
                8081, List.of(), false, DEFAULT_MAX_ARTIFACT_BYTES, "continua-registry-writer");
    }

    public RegistryConfig withHttpPort(int port) {
        return new RegistryConfig(bootstrapServers, topics, dir, host, port, tokens, readOnly, maxArtifactBytes,
                transactionalId);
    }

    /** Where the HTTP server listens: {@code 127.0.0.1} for this machine only, {@code 0.0.0.0} for every interface. */
    public RegistryConfig withHost(String newHost) {
        return new RegistryConfig(bootstrapServers, topics, dir, newHost, httpPort, tokens, readOnly, maxArtifactBytes,
                transactionalId);
    }

    public RegistryConfig withTokens(List<ApiToken> newTokens) {
        return new RegistryConfig(bootstrapServers, topics, dir, host, httpPort, newTokens, readOnly, maxArtifactBytes,
                transactionalId);
    }

    public RegistryConfig withTopics(Topics newTopics, String newTransactionalId) {
        return new RegistryConfig(bootstrapServers, newTopics, dir, host, httpPort, tokens, readOnly, maxArtifactBytes,
                newTransactionalId);
    }

    public RegistryConfig readOnly(Path newDir) {
        return new RegistryConfig(bootstrapServers, topics, newDir, host, httpPort, tokens, true, maxArtifactBytes,
                transactionalId);
    }

    public RegistryConfig withMaxArtifactBytes(long bytes) {
        return new RegistryConfig(bootstrapServers, topics, dir, host, httpPort, tokens, readOnly, bytes,
                transactionalId);
    }
}
