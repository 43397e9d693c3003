package io.continua.service.settings;

import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.RecordFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Settings several services share, declared here once: where the cluster is, where state goes, the registry. */
public final class SharedSettings {
    private static final String LOCAL_BOOTSTRAP = "127.0.0.1:9092";

    public static final Setting<String> BOOTSTRAP = Setting.of("bootstrap", SettingType.STRING,
            "Kafka bootstrap servers; unset: `bootstrap.servers` of the Kafka config file, else " + LOCAL_BOOTSTRAP)
            .importance(Importance.HIGH);
    public static final Setting<Path> KAFKA_CONFIG = Setting.of("kafka.config", SettingType.PATH,
            "Kafka client settings of this service's clients, a properties file as Kafka's tools take "
                    + "(`security.protocol`, `sasl.*`, `ssl.*`; `up --secure` writes one per service)")
            .importance(Importance.HIGH);
    public static final Setting<String> TOPIC_PREFIX = Setting.of("topic.prefix", SettingType.STRING,
            "prefix of every topic").defaultTo("continua.")
            .validatedBy(new Validator<>("letters, digits, `.`, `_`, `-`",
                    prefix -> prefix.matches("[A-Za-z0-9._-]*")));
    public static final Setting<Path> DATA_DIR = Setting.of("data.dir", SettingType.PATH,
            "where state is kept (caches in `<data-dir>/cache`, never `$HOME`)").defaultTo(Path.of("continua-data"))
            .importance(Importance.HIGH);
    public static final Setting<String> HOST = Setting.of("host", SettingType.STRING,
            "address the HTTP server listens on: `127.0.0.1` this machine only, `0.0.0.0` every interface")
            .defaultTo("0.0.0.0").validatedBy(Validator.notBlank()).importance(Importance.HIGH);
    public static final Setting<String> REGISTRY_URL = Setting.of("registry.url", SettingType.STRING,
            "the registry's base URL").defaultTo("http://127.0.0.1:8081")
            .validatedBy(Validator.httpUrl())
            .importance(Importance.HIGH);
    public static final Setting<String> REGISTRY_TOKEN = Setting.of("registry.token", SettingType.PASSWORD,
            "bearer token for the registry").importance(Importance.HIGH);
    public static final Setting<Path> DELTAS_VERIFY_KEY = Setting.of("deltas.verify.key", SettingType.PATH,
            "the registry's Ed25519 public key (PEM): deltas records that do not verify are ignored, logged and "
                    + "counted in `continua_deltas_untrusted_records`; unset: records are not checked");
    public static final Setting<List<String>> INPUT_FORMATS = Setting.of("input.formats", SettingType.LIST,
            "encodings read from `examples` and `predict.requests`, told apart per record by its first bytes: "
                    + "`single-object` (Avro single-object encoding), `json` (a JSON object of the record's fields), "
                    + "`confluent` (Confluent's wire format, its schema id resolved by `schema.registry.url`); a record "
                    + "in a format not listed is dead-lettered")
            .defaultTo(List.of("single-object", "json", "confluent"))
            .validatedBy(new Validator<>("`single-object` (what Continua's own clients and HTTP ingest write), "
                    + "with any of `json`, `confluent`", formats -> formats.contains(RecordFormat.SINGLE_OBJECT.key())
                    && formats.stream().allMatch(format -> Arrays.stream(RecordFormat.values())
                            .anyMatch(known -> known.key().equals(format)))));
    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.of("schema.registry.url", SettingType.STRING,
            "a Schema-Registry-compatible API (the registry's own under `/schemas-api`, or Confluent's, Karapace, "
                    + "Apicurio) that resolves the schema ids of Confluent-format records and gives Continua's output "
                    + "schema its id; the schemas Continua ships resolve without it")
            .defaultTo("http://127.0.0.1:8081/schemas-api").validatedBy(Validator.httpUrl());
    public static final Setting<String> SCHEMA_REGISTRY_USER_INFO = Setting.of("schema.registry.user.info",
            SettingType.PASSWORD, "`user:password` for HTTP basic authentication to `schema.registry.url` (for the "
                    + "registry's own: any user, a token as password); unset: none");

    /** All of them, documented once; each service takes those it needs. */
    public static final SettingDefs DEFS = SettingDefs.of("shared", List.of(BOOTSTRAP, KAFKA_CONFIG, TOPIC_PREFIX,
            DATA_DIR, HOST, REGISTRY_URL, REGISTRY_TOKEN, DELTAS_VERIFY_KEY, INPUT_FORMATS, SCHEMA_REGISTRY_URL,
            SCHEMA_REGISTRY_USER_INFO));

    private SharedSettings() {
    }

    /** The cluster and the client settings the service connects with. */
    public static KafkaConnection kafka(SettingValues values) {
        String bootstrap = values.get(BOOTSTRAP);
        Path file = values.get(KAFKA_CONFIG);
        if (file != null) {
            return KafkaConnection.fromFile(bootstrap, file);
        }
        return KafkaConnection.plaintext(bootstrap == null ? LOCAL_BOOTSTRAP : bootstrap);
    }

    public static Topics topics(SettingValues values) {
        return new Topics(values.get(TOPIC_PREFIX));
    }

    /** Where the ids of Confluent-format records are resolved. */
    public static ConfluentSchemas confluentSchemas(SettingValues values) {
        return ConfluentSchemas.at(values.get(SCHEMA_REGISTRY_URL), values.get(SCHEMA_REGISTRY_USER_INFO));
    }

    /** Checks deltas records with the configured public key, or not at all. */
    public static DeltaLogSignatures verifying(SettingValues values) {
        Path key = values.get(DELTAS_VERIFY_KEY);
        return key == null ? DeltaLogSignatures.NONE
                : DeltaLogSignatures.verifying(DeltaLogSignatures.readPublicKey(key));
    }
}
