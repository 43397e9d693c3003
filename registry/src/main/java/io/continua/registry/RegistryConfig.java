package io.continua.registry;

import io.continua.registry.auth.ApiToken;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.service.settings.InvalidSettingException;
import io.continua.service.settings.ServiceConfig;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The registry's configuration: values of {@link RegistrySettings}, and how deltas records are signed and checked
 * (from the key files, or keys given in memory).
 */
public final class RegistryConfig extends ServiceConfig<RegistryConfig> {
    /** Keys given in memory (tests), which win over the key files; null: from the settings. */
    private final DeltaLogSignatures givenSignatures;
    private final DeltaLogSignatures deltaSignatures;

    private RegistryConfig(SettingValues values, DeltaLogSignatures givenSignatures) {
        super(values);
        this.givenSignatures = givenSignatures;
        DeltaLogSignatures deltaSignatures = givenSignatures != null ? givenSignatures : fromKeyFiles(values);
        if (!readOnly() && deltaSignatures.verifies() && !deltaSignatures.signs()) {
            // Its own records would be ignored by every reader, itself included.
            throw new InvalidSettingException(List.of("A writing registry that checks deltas signatures must sign: "
                    + "give it the signing key (" + RegistrySettings.SIGNING_KEY.flag() + "), or run it read-only"));
        }
        this.deltaSignatures = deltaSignatures;
    }

    public static RegistryConfig of(SettingValues values) {
        return new RegistryConfig(values, null);
    }

    /** The signing key pair also checks; without it, the verify key (or nothing) checks. */
    private static DeltaLogSignatures fromKeyFiles(SettingValues values) {
        Path signingKey = values.get(RegistrySettings.SIGNING_KEY);
        return signingKey != null ? DeltaLogSignatures.signing(DeltaLogSignatures.readKeyPair(signingKey))
                : SharedSettings.verifying(values);
    }

    /** The defaults, for a cluster, with state under {@code dataDir}. */
    public static RegistryConfig defaults(String bootstrapServers, Path dataDir) {
        return of(RegistrySettings.DEFS.resolve(Map.of(SharedSettings.BOOTSTRAP.name(), bootstrapServers,
                SharedSettings.DATA_DIR.name(), dataDir.toString()), Map.of()));
    }

    @Override
    protected RegistryConfig withValues(SettingValues newValues) {
        return new RegistryConfig(newValues, givenSignatures);
    }

    /** How records of the deltas log are signed (the writer) and checked (every reader). */
    public RegistryConfig withDeltaSignatures(DeltaLogSignatures newSignatures) {
        return new RegistryConfig(values(), newSignatures);
    }

    public DeltaLogSignatures deltaSignatures() {
        return deltaSignatures;
    }

    /** Where the artifact cache, upload scratch files and a generated admin token live. */
    public Path dir() {
        Path configured = get(RegistrySettings.DIR);
        return configured != null ? configured : dataDir().resolve("registry");
    }

    public int httpPort() {
        return get(RegistrySettings.PORT);
    }

    /** Bearer tokens; empty means a generated admin token saved in {@code dir()/admin.token}. */
    public List<ApiToken> tokens() {
        return get(RegistrySettings.TOKENS).stream().map(ApiToken::parse).toList();
    }

    public boolean readOnly() {
        return get(RegistrySettings.READ_ONLY);
    }

    public long maxArtifactBytes() {
        return get(RegistrySettings.MAX_ARTIFACT_BYTES);
    }

    public Duration rolloutInterval() {
        return get(RegistrySettings.ROLLOUT_INTERVAL);
    }

    public Duration rolloutMaxTrial() {
        return get(RegistrySettings.ROLLOUT_MAX_TRIAL);
    }

    public double liveConfidence() {
        return get(RegistrySettings.LIVE_CONFIDENCE);
    }

    public Duration liveDetail() {
        return get(RegistrySettings.LIVE_DETAIL);
    }

    /** The writer's transactional id: every writer of one log must share it. */
    public String transactionalId() {
        return get(RegistrySettings.TRANSACTIONAL_ID);
    }
}
