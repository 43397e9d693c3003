package io.continua.ingest;

import io.continua.service.settings.ServiceConfig;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The ingest service's configuration: values of {@link IngestSettings}, read through named accessors. */
public final class IngestConfig extends ServiceConfig<IngestConfig> {
    /** Event times before this are absurd (2000-01-01T00:00:00Z). */
    public static final long EARLIEST_EVENT_TIME_MS = 946_684_800_000L;

    private IngestConfig(SettingValues values) {
        super(values);
    }

    public static IngestConfig of(SettingValues values) {
        return new IngestConfig(values);
    }

    /** The defaults, for a cluster, with state under {@code dataDir}. */
    public static IngestConfig defaults(String bootstrapServers, Path dataDir) {
        return of(IngestSettings.DEFS.resolve(Map.of(SharedSettings.BOOTSTRAP.name(), bootstrapServers,
                SharedSettings.DATA_DIR.name(), dataDir.toString()), Map.of()));
    }

    @Override
    protected IngestConfig withValues(SettingValues newValues) {
        return new IngestConfig(newValues);
    }

    public int httpPort() {
        return get(IngestSettings.PORT);
    }

    public String applicationId() {
        return get(IngestSettings.APPLICATION_ID);
    }

    public Path stateDir() {
        Path configured = get(IngestSettings.STATE_DIR);
        return configured != null ? configured : dataDir().resolve("ingest").resolve("state");
    }

    public double holdoutFraction() {
        return get(IngestSettings.HOLDOUT_FRACTION);
    }

    public int maxTextLength() {
        return get(IngestSettings.MAX_TEXT_LENGTH);
    }

    public int maxLabelLength() {
        return get(IngestSettings.MAX_LABEL_LENGTH);
    }

    public Duration dedupRetention() {
        return get(IngestSettings.DEDUP_RETENTION);
    }

    public Duration maxFutureSkew() {
        return get(IngestSettings.MAX_FUTURE_SKEW);
    }

    public Duration prequentialWindow() {
        return get(IngestSettings.PREQUENTIAL_WINDOW);
    }

    public Duration metricsWindow() {
        return get(IngestSettings.METRICS_WINDOW);
    }

    public Duration commitInterval() {
        return get(IngestSettings.COMMIT_INTERVAL);
    }
}
