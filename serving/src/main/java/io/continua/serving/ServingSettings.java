package io.continua.serving;

import static io.continua.service.settings.Validator.atLeast;
import static io.continua.service.settings.Validator.between;

import io.continua.peft.runtime.Precision;
import io.continua.service.settings.Importance;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SharedSettings;
import io.continua.service.settings.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Every setting of the serving service, declared once: the CLI's flags, environment variables and README table. */
public final class ServingSettings {
    public static final Setting<Integer> PORT = Setting.port("serving.port", "serving's HTTP port (0: a free one)",
            8082);
    public static final Setting<String> REGISTRY_TOKEN = SharedSettings.REGISTRY_TOKEN;
    public static final Setting<String> ALIAS = Setting.of("serving.alias", SettingType.STRING,
            "the alias whose version each domain serves by default").defaultTo("production")
            .validatedBy(Validator.notBlank()).importance(Importance.HIGH);
    public static final Setting<Integer> MAX_BATCH = Setting.of("max.batch", SettingType.INT,
            "most texts in one inference batch").defaultTo(64).validatedBy(atLeast(1));
    public static final Setting<Integer> MAX_BATCH_TOKENS = Setting.of("max.batch.tokens", SettingType.INT,
            "most real tokens in one inference batch, texts of every domain together (one longer text still runs, "
                    + "alone)").defaultTo(2048).validatedBy(atLeast(1));
    public static final Setting<Duration> MAX_WAIT = Setting.of("max.wait", SettingType.DURATION,
            "how long an idle server lets a batch gather (`PT0S`: run at once; under load batches gather while "
                    + "the previous one runs)").defaultTo(Duration.ZERO).validatedBy(Validator.notNegative());
    public static final Setting<Integer> QUEUE_CAPACITY = Setting.of("queue.capacity", SettingType.INT,
            "texts waiting per domain before HTTP requests get 429 and Kafka partitions pause").defaultTo(512)
            .validatedBy(atLeast(1));
    public static final Setting<Integer> MAX_TEXTS = Setting.of("max.texts", SettingType.INT,
            "most texts in one HTTP request (413 beyond)").defaultTo(64).validatedBy(atLeast(1));
    public static final Setting<Integer> MAX_TEXT_CHARS = Setting.of("max.text.chars", SettingType.INT,
            "most characters in one text, refused with 413 `text_too_long` before any work is spent on it")
            .defaultTo(10_000).validatedBy(atLeast(1));
    public static final Setting<Integer> TOP_K = Setting.of("top.k", SettingType.INT,
            "labels a prediction's scores list").defaultTo(5).validatedBy(atLeast(1));
    public static final Setting<Integer> MAX_TOKENS = Setting.of("max.tokens", SettingType.INT,
            "the tokenizer's limit: longer texts are truncated and flagged").defaultTo(128)
            .validatedBy(between(2, 512));
    public static final Setting<String> PRECISION = Setting.of("precision", SettingType.STRING,
            "the base's matrix products: `fp32`, or `bf16` (about 1.5x faster where the CPU has native bfloat16; "
                    + "worst cosine about 0.99993 against fp32)").defaultTo("fp32")
            .validatedBy(Validator.oneOf(Arrays.stream(Precision.values()).map(Precision::key).toArray(String[]::new)));
    public static final Setting<Integer> PINNED_VERSIONS = Setting.of("pinned.versions", SettingType.INT,
            "versions kept loaded for requests that pin one and for a candidate being tried, besides the served "
                    + "ones (the one loaded last always stays)").defaultTo(4)
            .validatedBy(atLeast(0)).importance(Importance.LOW);
    public static final Setting<Boolean> CONSUME_REQUESTS = Setting.of("consume.requests", SettingType.BOOLEAN,
            "answer `predict.requests` from Kafka as well as HTTP").defaultTo(true).importance(Importance.LOW);
    public static final Setting<String> OUTPUT_FORMAT = Setting.of("output.format", SettingType.STRING,
            "encoding of what serving writes to `predict.results`: `single-object` (Avro single-object encoding), "
                    + "`confluent` (Confluent's wire format, the schema registered at `schema.registry.url`, for "
                    + "Confluent deserializers in any language) or `json` (a JSON object of the Prediction's fields, "
                    + "for consumers without Avro); ingest reads each").defaultTo("single-object")
            .validatedBy(Validator.oneOf("single-object", "confluent", "json"));
    public static final Setting<Boolean> HTTP_RESULTS = Setting.of("http.results", SettingType.BOOLEAN,
            "also write HTTP predictions to `predict.results`, each with a `requestId` (the request's, or a new one, "
                    + "answered either way), so that labels later sent with it count in live accuracy")
            .defaultTo(false);
    public static final Setting<Double> SHADOW_BUDGET = Setting.of("shadow.budget", SettingType.DOUBLE,
            "the share of the texts production answers that a shadow candidate may also score (for its live "
                    + "accuracy); beyond it, or while more than 16 texts wait for inference, texts go unshadowed")
            .defaultTo(0.5).validatedBy(new Validator<>("in (0, 1]", share -> share > 0 && share <= 1));
    public static final Setting<String> GROUP_ID = Setting.of("serving.group.id", SettingType.STRING,
            "consumer group of the replicas answering `predict.requests`").defaultTo("continua-serving")
            .validatedBy(Validator.notBlank()).importance(Importance.LOW);
    public static final Setting<Path> EXPORT_DIR = Setting.of("export.dir", SettingType.PATH,
            "where the encoder's SavedModel export is kept; unset: `serving` in the cache directory")
            .importance(Importance.LOW);

    public static final SettingDefs DEFS = SettingDefs.of("serving", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR, SharedSettings.HOST,
            PORT, SharedSettings.REGISTRY_URL, REGISTRY_TOKEN, SharedSettings.DELTAS_VERIFY_KEY, ALIAS, MAX_BATCH,
            MAX_BATCH_TOKENS, MAX_WAIT, QUEUE_CAPACITY, MAX_TEXTS, MAX_TEXT_CHARS, TOP_K, MAX_TOKENS, PRECISION,
            PINNED_VERSIONS, CONSUME_REQUESTS, GROUP_ID, EXPORT_DIR, SharedSettings.INPUT_FORMATS, OUTPUT_FORMAT, HTTP_RESULTS, SHADOW_BUDGET,
            SharedSettings.SCHEMA_REGISTRY_URL, SharedSettings.SCHEMA_REGISTRY_USER_INFO));

    private ServingSettings() {
    }
}
