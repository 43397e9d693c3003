package io.continua.registry;

import static io.continua.service.settings.Validator.atLeast;

import io.continua.registry.auth.ApiToken;
import io.continua.service.settings.Importance;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SharedSettings;
import io.continua.service.settings.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Every setting of the registry, declared once: the CLI's flags, environment variables and README table. */
public final class RegistrySettings {
    public static final Setting<Integer> PORT = Setting.port("registry.port",
            "the registry's HTTP port (0: a free one)", 8081);
    public static final Setting<List<String>> TOKENS = Setting.of("registry.tokens", SettingType.PASSWORD_LIST,
            "bearer tokens as `name:role:secret`, comma-separated; roles `read`, `schema` (register producers' schemas), "
                    + "`write`, `admin`, each allowing the ones before. Without any, an admin token is generated into "
                    + "`<data-dir>/registry/admin.token`").defaultTo(List.of())
            .validatedBy(Validator.eachParses("`name:role:secret` items", ApiToken::parse))
            .importance(Importance.HIGH);
    public static final Setting<Boolean> READ_ONLY = Setting.of("registry.read.only", SettingType.BOOLEAN,
            "serve reads only, beside a writing instance").defaultTo(false).importance(Importance.HIGH);
    public static final Setting<Path> SIGNING_KEY = Setting.of("deltas.signing.key", SettingType.PATH,
            "the Ed25519 key pair (PEM: private key, then public key) the writer signs every deltas record with; "
                    + "it also checks what it reads").importance(Importance.HIGH);
    public static final Setting<Long> MAX_ARTIFACT_BYTES = Setting.of("max.artifact.bytes", SettingType.LONG,
            "largest accepted artifact archive, in bytes").defaultTo(64L * 1024 * 1024).validatedBy(atLeast(1024L));
    public static final Setting<Path> DIR = Setting.of("registry.dir", SettingType.PATH,
            "the registry's local files (artifact cache, upload scratch, generated admin token); unset: "
                    + "`<data-dir>/registry`").importance(Importance.LOW);
    public static final Setting<String> TRANSACTIONAL_ID = Setting.of("registry.transactional.id",
            SettingType.STRING, "the writer's transactional id: every writer of one deltas log must share it, so a "
                    + "new writer fences the old one").defaultTo("continua-registry-writer")
            .validatedBy(Validator.notBlank()).importance(Importance.LOW);
    public static final Setting<Double> LIVE_CONFIDENCE = Setting.of("live.confidence", SettingType.DOUBLE,
            "confidence level of the intervals around live (prequential) accuracy, in the API and the gauges")
            .defaultTo(0.95).validatedBy(new Validator<>("in (0, 1)", level -> level > 0 && level < 1));
    public static final Setting<Duration> LIVE_DETAIL = Setting.of("live.detail", SettingType.DURATION,
            "how long live accuracy keeps each metrics window apart: rollout decisions compare versions on the "
                    + "windows within it, and leave a comparison begun longer ago as it is; older windows (behind a "
                    + "domain's newest by more) are summed into each version's all-time figure, so a registry that "
                    + "runs for months holds a bounded number of windows")
            .defaultTo(Duration.ofDays(7)).validatedBy(Validator.positive());
    public static final Setting<Duration> ROLLOUT_INTERVAL = Setting.of("rollout.interval", SettingType.DURATION,
            "how often the writer applies automatic rollout policies to live accuracy (promote a candidate, retire "
                    + "it, roll production back)").defaultTo(Duration.ofSeconds(10)).validatedBy(Validator.positive());
    public static final Setting<Duration> ROLLOUT_MAX_TRIAL = Setting.of("rollout.max.trial", SettingType.DURATION,
            "how long a candidate under trial keeps its place: a newer version that passes the gate meanwhile is "
                    + "registered but does not replace it, so the trial can finish").defaultTo(Duration.ofMinutes(30))
            .validatedBy(Validator.positive());

    public static final SettingDefs DEFS = SettingDefs.of("registry", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR, SharedSettings.HOST,
            PORT, TOKENS, READ_ONLY, SIGNING_KEY, SharedSettings.DELTAS_VERIFY_KEY, MAX_ARTIFACT_BYTES, DIR,
            TRANSACTIONAL_ID, LIVE_CONFIDENCE, LIVE_DETAIL, ROLLOUT_INTERVAL, ROLLOUT_MAX_TRIAL));

    private RegistrySettings() {
    }
}
