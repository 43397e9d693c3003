package io.continua.serving;

import static io.continua.serving.ServingSettings.ALIAS;
import static io.continua.serving.ServingSettings.CONSUME_REQUESTS;
import static io.continua.serving.ServingSettings.EXPORT_DIR;
import static io.continua.serving.ServingSettings.GROUP_ID;
import static io.continua.serving.ServingSettings.MAX_BATCH;
import static io.continua.serving.ServingSettings.MAX_BATCH_TOKENS;
import static io.continua.serving.ServingSettings.MAX_TEXTS;
import static io.continua.serving.ServingSettings.MAX_TEXT_CHARS;
import static io.continua.serving.ServingSettings.MAX_TOKENS;
import static io.continua.serving.ServingSettings.MAX_WAIT;
import static io.continua.serving.ServingSettings.OUTPUT_FORMAT;
import static io.continua.serving.ServingSettings.PINNED_VERSIONS;
import static io.continua.serving.ServingSettings.PORT;
import static io.continua.serving.ServingSettings.PRECISION;
import static io.continua.serving.ServingSettings.QUEUE_CAPACITY;
import static io.continua.serving.ServingSettings.REGISTRY_TOKEN;
import static io.continua.serving.ServingSettings.TOP_K;

import io.continua.peft.runtime.NativeCache;
import io.continua.peft.runtime.Precision;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.serde.RecordFormat;
import io.continua.service.settings.ServiceConfig;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The serving service's configuration: values of {@link ServingSettings}, and how deltas records are checked
 * (from {@code deltas.verify.key}, or keys given in memory).
 */
public final class ServingConfig extends ServiceConfig<ServingConfig> {
    /** Keys given in memory (tests), which win over the key file; null: from the settings. */
    private final DeltaLogSignatures givenSignatures;
    private final DeltaLogSignatures deltaSignatures;

    private ServingConfig(SettingValues values, DeltaLogSignatures givenSignatures) {
        super(values);
        this.givenSignatures = givenSignatures;
        this.deltaSignatures = givenSignatures != null ? givenSignatures : SharedSettings.verifying(values);
    }

    public static ServingConfig of(SettingValues values) {
        return new ServingConfig(values, null);
    }

    /** The defaults, for a cluster and a registry. */
    public static ServingConfig defaults(String bootstrapServers, String registryUrl) {
        return of(ServingSettings.DEFS.resolve(Map.of(SharedSettings.BOOTSTRAP.name(), bootstrapServers,
                SharedSettings.REGISTRY_URL.name(), registryUrl), Map.of()));
    }

    @Override
    protected ServingConfig withValues(SettingValues newValues) {
        return new ServingConfig(newValues, givenSignatures);
    }

    /** How records of the deltas log are checked. */
    public ServingConfig withDeltaSignatures(DeltaLogSignatures newSignatures) {
        return new ServingConfig(values(), newSignatures);
    }

    public DeltaLogSignatures deltaSignatures() {
        return deltaSignatures;
    }

    public String registryUrl() {
        return get(SharedSettings.REGISTRY_URL);
    }

    public String registryToken() {
        return get(REGISTRY_TOKEN);
    }

    public int httpPort() {
        return get(PORT);
    }

    public String alias() {
        return get(ALIAS);
    }

    public int maxBatch() {
        return get(MAX_BATCH);
    }

    public int maxBatchTokens() {
        return get(MAX_BATCH_TOKENS);
    }

    public Duration maxWait() {
        return get(MAX_WAIT);
    }

    public int queueCapacity() {
        return get(QUEUE_CAPACITY);
    }

    public int maxTextsPerRequest() {
        return get(MAX_TEXTS);
    }

    public int maxTextChars() {
        return get(MAX_TEXT_CHARS);
    }

    public int topK() {
        return get(TOP_K);
    }

    public int maxTokens() {
        return get(MAX_TOKENS);
    }

    public Precision precision() {
        return Precision.parse(get(PRECISION));
    }

    public int pinnedVersions() {
        return get(PINNED_VERSIONS);
    }

    public double shadowBudget() {
        return get(ServingSettings.SHADOW_BUDGET);
    }

    public boolean httpResults() {
        return get(ServingSettings.HTTP_RESULTS);
    }

    public boolean consumeRequests() {
        return get(CONSUME_REQUESTS);
    }

    /** How predictions are written to {@code predict.results}. */
    public RecordFormat outputFormat() {
        return RecordFormat.fromKey(get(OUTPUT_FORMAT));
    }

    public String groupId() {
        return get(GROUP_ID);
    }

    public Path exportDir() {
        Path configured = get(EXPORT_DIR);
        return configured != null ? configured : NativeCache.dir().resolve("serving");
    }
}
