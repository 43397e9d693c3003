package io.continua.trainer;

import static io.continua.trainer.TrainerSettings.BATCH_SIZE;
import static io.continua.trainer.TrainerSettings.CONSOLIDATION_MIN_GAIN;
import static io.continua.trainer.TrainerSettings.GATE_MARGIN;
import static io.continua.trainer.TrainerSettings.GROUP_ID;
import static io.continua.trainer.TrainerSettings.HOLDOUT_CAPACITY;
import static io.continua.trainer.TrainerSettings.LEARNING_RATE_FLOOR;
import static io.continua.trainer.TrainerSettings.MAX_FORGETTING;
import static io.continua.trainer.TrainerSettings.MAX_INTERVAL;
import static io.continua.trainer.TrainerSettings.MIN_NEW_EXAMPLES;
import static io.continua.trainer.TrainerSettings.PORT;
import static io.continua.trainer.TrainerSettings.REBUILD_LOOKBACK;
import static io.continua.trainer.TrainerSettings.REGISTRY_TOKEN;
import static io.continua.trainer.TrainerSettings.REPLAY_CAPACITY;
import static io.continua.trainer.TrainerSettings.REPLAY_FRACTION;
import static io.continua.trainer.TrainerSettings.SESSION_TIMEOUT;
import static io.continua.trainer.TrainerSettings.STEPS_PER_UPDATE;
import static io.continua.trainer.TrainerSettings.TARGET_PASSES;

import io.continua.service.settings.ServiceConfig;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import java.time.Duration;
import java.util.Map;

/** The trainer's configuration: values of {@link TrainerSettings}, read through named accessors. */
public final class TrainerConfig extends ServiceConfig<TrainerConfig> {
    private TrainerConfig(SettingValues values) {
        super(values);
    }

    public static TrainerConfig of(SettingValues values) {
        return new TrainerConfig(values);
    }

    /** The defaults, for a cluster and a registry with a write token. */
    public static TrainerConfig defaults(String bootstrapServers, String registryUrl, String registryToken) {
        return of(TrainerSettings.DEFS.resolve(Map.of(SharedSettings.BOOTSTRAP.name(), bootstrapServers,
                SharedSettings.REGISTRY_URL.name(), registryUrl, REGISTRY_TOKEN.name(), registryToken), Map.of()));
    }

    @Override
    protected TrainerConfig withValues(SettingValues newValues) {
        return new TrainerConfig(newValues);
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

    public String groupId() {
        return get(GROUP_ID);
    }

    public int minNewExamples() {
        return get(MIN_NEW_EXAMPLES);
    }

    public Duration maxInterval() {
        return get(MAX_INTERVAL);
    }

    public int stepsPerUpdate() {
        return get(STEPS_PER_UPDATE);
    }

    public int batchSize() {
        return get(BATCH_SIZE);
    }

    public double replayFraction() {
        return get(REPLAY_FRACTION);
    }

    public int replayCapacity() {
        return get(REPLAY_CAPACITY);
    }

    public int holdoutCapacity() {
        return get(HOLDOUT_CAPACITY);
    }

    public double gateMargin() {
        return get(GATE_MARGIN);
    }

    public double maxForgetting() {
        return get(MAX_FORGETTING);
    }

    public int targetPasses() {
        return get(TARGET_PASSES);
    }

    public double learningRateFloor() {
        return get(LEARNING_RATE_FLOOR);
    }

    public double consolidationMinGain() {
        return get(CONSOLIDATION_MIN_GAIN);
    }

    public long rebuildLookback() {
        return get(REBUILD_LOOKBACK);
    }

    public Duration sessionTimeout() {
        return get(SESSION_TIMEOUT);
    }

    public int maxBufferedRecords() {
        return get(TrainerSettings.MAX_BUFFERED_RECORDS);
    }

    public Duration maxPollInterval() {
        return get(TrainerSettings.MAX_POLL_INTERVAL);
    }
}
