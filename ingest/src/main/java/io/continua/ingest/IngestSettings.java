package io.continua.ingest;

import static io.continua.service.settings.Validator.atLeast;

import io.continua.service.settings.Importance;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SharedSettings;
import io.continua.service.settings.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Every setting of the ingest service, declared once: the CLI's flags, environment variables and README table. */
public final class IngestSettings {
    public static final Setting<Integer> PORT = Setting.port("ingest.port",
            "ingest's stats, health and metrics port (0: a free one)", 8083);
    public static final Setting<String> APPLICATION_ID = Setting.of("ingest.application.id", SettingType.STRING,
            "Kafka Streams application id: instances of one id share the work").defaultTo("continua-ingest")
            .validatedBy(Validator.notBlank()).importance(Importance.HIGH);
    public static final Setting<Double> HOLDOUT_FRACTION = Setting.of("holdout.fraction", SettingType.DOUBLE,
            "share of texts assigned to HOLDOUT, by a hash of domain and text").defaultTo(0.1)
            .validatedBy(Validator.fraction());
    public static final Setting<Integer> MAX_TEXT_LENGTH = Setting.of("max.text.length", SettingType.INT,
            "longest accepted text, in characters after normalization").defaultTo(10_000).validatedBy(atLeast(1));
    public static final Setting<Integer> MAX_LABEL_LENGTH = Setting.of("max.label.length", SettingType.INT,
            "longest accepted label, in characters").defaultTo(100).validatedBy(atLeast(1));
    public static final Setting<Duration> DEDUP_RETENTION = Setting.of("dedup.retention", SettingType.DURATION,
            "how long a seen text is remembered for de-duplication").defaultTo(Duration.ofDays(7))
            .validatedBy(Validator.positive());
    public static final Setting<Duration> MAX_FUTURE_SKEW = Setting.of("max.future.skew", SettingType.DURATION,
            "how far ahead of the clock an event time may be").defaultTo(Duration.ofDays(1))
            .validatedBy(Validator.notNegative());
    public static final Setting<Duration> PREQUENTIAL_WINDOW = Setting.of("prequential.window",
            SettingType.DURATION, "how long after a prediction its label may arrive to be joined")
            .defaultTo(Duration.ofHours(1)).validatedBy(Validator.positive());
    public static final Setting<Duration> METRICS_WINDOW = Setting.of("metrics.window", SettingType.DURATION,
            "the tumbling window prequential accuracy is reported over").defaultTo(Duration.ofMinutes(1))
            .validatedBy(Validator.positive());
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.of("commit.interval", SettingType.DURATION,
            "how often Kafka Streams commits its exactly-once transactions (latency to `examples.accepted`)")
            .defaultTo(Duration.ofMillis(200)).validatedBy(Validator.positive()).importance(Importance.LOW);
    public static final Setting<Path> STATE_DIR = Setting.of("ingest.state.dir", SettingType.PATH,
            "Kafka Streams state stores; unset: `<data-dir>/ingest/state`").importance(Importance.LOW);

    public static final SettingDefs DEFS = SettingDefs.of("ingest", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR, SharedSettings.HOST,
            PORT, APPLICATION_ID, HOLDOUT_FRACTION, MAX_TEXT_LENGTH, MAX_LABEL_LENGTH, DEDUP_RETENTION,
            MAX_FUTURE_SKEW, PREQUENTIAL_WINDOW, METRICS_WINDOW, COMMIT_INTERVAL, STATE_DIR, SharedSettings.INPUT_FORMATS,
            SharedSettings.SCHEMA_REGISTRY_URL, SharedSettings.SCHEMA_REGISTRY_USER_INFO));

    private IngestSettings() {
    }
}
