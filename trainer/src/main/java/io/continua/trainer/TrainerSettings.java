package io.continua.trainer;

import static io.continua.service.settings.Validator.atLeast;
import static io.continua.service.settings.Validator.between;

import io.continua.service.settings.Importance;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SharedSettings;
import io.continua.service.settings.Validator;
import java.time.Duration;
import java.util.List;

/** Every setting of the trainer, declared once: the CLI's flags, environment variables and README table. */
public final class TrainerSettings {
    public static final Setting<Integer> PORT = Setting.port("trainer.port",
            "the trainer's status and metrics port (0: a free one)", 8084);
    public static final Setting<String> REGISTRY_TOKEN = SharedSettings.REGISTRY_TOKEN.require();
    public static final Setting<String> GROUP_ID = Setting.of("trainer.group.id", SettingType.STRING,
            "consumer group of the trainers: instances of one group share the domains").defaultTo("continua-trainer")
            .validatedBy(Validator.notBlank()).importance(Importance.LOW);
    public static final Setting<Integer> MIN_NEW_EXAMPLES = Setting.of("min.new.examples", SettingType.INT,
            "new TRAIN examples of a domain that start an update").defaultTo(64).validatedBy(atLeast(1));
    public static final Setting<Duration> MAX_INTERVAL = Setting.of("max.interval", SettingType.DURATION,
            "an update also starts this long after the last one if any example is new")
            .defaultTo(Duration.ofSeconds(20)).validatedBy(Validator.positive());
    public static final Setting<Integer> STEPS_PER_UPDATE = Setting.of("steps.per.update", SettingType.INT,
            "optimizer steps per update, at least one pass over the new examples").defaultTo(20)
            .validatedBy(atLeast(1));
    public static final Setting<Integer> BATCH_SIZE = Setting.of("batch.size", SettingType.INT,
            "examples per optimizer step").defaultTo(32).validatedBy(between(1, 1024));
    public static final Setting<Double> REPLAY_FRACTION = Setting.of("replay.fraction", SettingType.DOUBLE,
            "share of each batch drawn from replayed older examples").defaultTo(0.5).validatedBy(Validator.fraction());
    public static final Setting<Integer> REPLAY_CAPACITY = Setting.of("replay.capacity", SettingType.INT,
            "examples kept per domain for replay, balanced across labels").defaultTo(4_000).validatedBy(atLeast(1));
    public static final Setting<Integer> HOLDOUT_CAPACITY = Setting.of("holdout.capacity", SettingType.INT,
            "HOLDOUT examples kept per domain for the gate, balanced across labels").defaultTo(1_000)
            .validatedBy(atLeast(1));
    public static final Setting<Double> GATE_MARGIN = Setting.of("gate.margin", SettingType.DOUBLE,
            "a candidate passes the gate if its holdout accuracy is at least the champion's minus this")
            .defaultTo(0.0).validatedBy(between(0.0, 1.0));
    public static final Setting<Double> MAX_FORGETTING = Setting.of("max.forgetting", SettingType.DOUBLE,
            "a candidate passes only if its accuracy on replayed older examples drops by at most this").defaultTo(0.05)
            .validatedBy(between(0.0, 1.0));
    public static final Setting<Integer> TARGET_PASSES = Setting.of("target.passes", SettingType.INT,
            "how often each example a domain keeps should be trained on: while any is short of it, the worker goes "
                    + "on training the domain on its replay reservoir between updates, least-trained examples first "
                    + "(1: one pass over new examples, nothing more)").defaultTo(4).validatedBy(between(1, 100));
    public static final Setting<Double> LEARNING_RATE_FLOOR = Setting.of("learning.rate.floor", SettingType.DOUBLE,
            "the stream's schedule: after the warm-up each step's learning rates are scaled by the share of its "
                    + "examples' target passes still to do (1 for new examples, falling as they are trained on "
                    + "again), never below this").defaultTo(0.1).validatedBy(between(0.01, 1.0));
    public static final Setting<Double> CONSOLIDATION_MIN_GAIN = Setting.of("consolidation.min.gain",
            SettingType.DOUBLE, "a candidate trained on replayed examples alone is registered only if its holdout "
                    + "accuracy beats the champion's by more than this").defaultTo(0.0).validatedBy(between(0.0, 1.0));
    public static final Setting<Long> REBUILD_LOOKBACK = Setting.of("rebuild.lookback", SettingType.LONG,
            "records re-read before the committed offset when a partition is assigned, to refill the reservoirs")
            .defaultTo(50_000L).validatedBy(atLeast(0L)).importance(Importance.LOW);
    public static final Setting<Duration> SESSION_TIMEOUT = Setting.of("session.timeout", SettingType.DURATION,
            "Kafka consumer session timeout: how soon a dead trainer's domains move to another")
            .defaultTo(Duration.ofSeconds(45)).validatedBy(Validator.positive()).importance(Importance.LOW);

    public static final Setting<Integer> MAX_BUFFERED_RECORDS = Setting.of("max.buffered.records", SettingType.INT,
            "records of one partition waiting for the training worker before the partition pauses (it resumes "
                    + "at half)").defaultTo(20_000).validatedBy(atLeast(1)).importance(Importance.LOW);
    public static final Setting<Duration> MAX_POLL_INTERVAL = Setting.of("max.poll.interval", SettingType.DURATION,
            "Kafka consumer max.poll.interval: a member that does not poll for this long leaves its group (the "
                    + "poll loop polls every 200 ms whatever the worker does)").defaultTo(Duration.ofMinutes(5))
            .validatedBy(Validator.positive()).importance(Importance.LOW);

    public static final SettingDefs DEFS = SettingDefs.of("trainer", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR, SharedSettings.HOST,
            PORT, SharedSettings.REGISTRY_URL, REGISTRY_TOKEN, GROUP_ID, MIN_NEW_EXAMPLES, MAX_INTERVAL,
            STEPS_PER_UPDATE, BATCH_SIZE, REPLAY_FRACTION, REPLAY_CAPACITY, HOLDOUT_CAPACITY, GATE_MARGIN,
            MAX_FORGETTING, TARGET_PASSES, LEARNING_RATE_FLOOR, CONSOLIDATION_MIN_GAIN, REBUILD_LOOKBACK,
            SESSION_TIMEOUT, MAX_BUFFERED_RECORDS, MAX_POLL_INTERVAL));

    private TrainerSettings() {
    }
}
