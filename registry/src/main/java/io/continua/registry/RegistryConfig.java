package io.continua.registry;

import io.continua.registry.auth.ApiToken;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
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
public record RegistryConfig(KafkaConnection kafka, Topics topics, Path dir, String host, int httpPort,
                             List<ApiToken> tokens, boolean readOnly, long maxArtifactBytes, String transactionalId,
        DeltaLogSignatures deltaSignatures) {
    public static final long DEFAULT_MAX_ARTIFACT_BYTES = 64L * 1024 * 1024;

    public RegistryConfig {
        tokens = List.copyOf(tokens);
        if (!readOnly && deltaSignatures.verifies() && !deltaSignatures.signs()) {
            // Its own records would be ignored by every reader, itself included.
            throw new IllegalArgumentException("A writing registry that checks deltas signatures must sign: give it "
                    + "the signing key (--deltas-signing-key), or run it read-only");
        }
    }

    public static RegistryConfig defaults(String bootstrapServers, Path dataDir) {
        return new RegistryConfig(KafkaConnection.plaintext(bootstrapServers), Topics.withDefaultPrefix(),
                dataDir.resolve("registry"), "0.0.0.0",
                8081, List.of(), false, DEFAULT_MAX_ARTIFACT_BYTES, "continua-registry-writer",
                        DeltaLogSignatures.NONE);
    }

    public RegistryConfig withHttpPort(int port) {
        return new RegistryConfig(kafka, topics, dir, host, port, tokens, readOnly, maxArtifactBytes,
                transactionalId, deltaSignatures);
    }

    /** Where the HTTP server listens: {@code 127.0.0.1} for this machine only, {@code 0.0.0.0} for every interface. */
    public RegistryConfig withHost(String newHost) {
        return new RegistryConfig(kafka, topics, dir, newHost, httpPort, tokens, readOnly, maxArtifactBytes,
                transactionalId, deltaSignatures);
    }

    public RegistryConfig withTokens(List<ApiToken> newTokens) {
        return new RegistryConfig(kafka, topics, dir, host, httpPort, newTokens, readOnly, maxArtifactBytes,
                transactionalId, deltaSignatures);
    }

    public RegistryConfig withTopics(Topics newTopics, String newTransactionalId) {
        return new RegistryConfig(kafka, newTopics, dir, host, httpPort, tokens, readOnly, maxArtifactBytes,
                newTransactionalId, deltaSignatures);
    }

    public RegistryConfig readOnly(Path newDir) {
        return new RegistryConfig(kafka, topics, newDir, host, httpPort, tokens, true, maxArtifactBytes,
                transactionalId, deltaSignatures);
    }

    public RegistryConfig withMaxArtifactBytes(long bytes) {
        return new RegistryConfig(kafka, topics, dir, host, httpPort, tokens, readOnly, bytes,
                transactionalId, deltaSignatures);
    }

    /** The cluster and the client settings (security) this service connects with. */
    public RegistryConfig withKafka(KafkaConnection newKafka) {
        return new RegistryConfig(newKafka, topics, dir, host, httpPort, tokens, readOnly, maxArtifactBytes,
                transactionalId, deltaSignatures);
    }

    /** How records of the deltas log are signed (the writer) and checked (every reader). */
    public RegistryConfig withDeltaSignatures(DeltaLogSignatures newSignatures) {
        return new RegistryConfig(kafka, topics, dir, host, httpPort, tokens, readOnly, maxArtifactBytes,
                transactionalId, newSignatures);
    }
}
