package io.continua.schemas.kafka;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.RegisteredSchema;
import io.continua.schemas.SubjectCompatibility;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.schemas.serde.UndecodableRecordException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;

/**
 * Keys and values of the compacted {@code deltas} topic, the registry's log of record:
 * <ul>
 * <li>{@code domain/version}: {@link DeltaVersion} (latest state of that version);</li>
 * <li>{@code domain@alias}: {@link AliasPointer}, where the alias points now;</li>
 * <li>{@code domain@alias#000000000042}: {@link AliasPointer}, the 42nd move of that alias, kept so
 *     that compaction never erases an alias's history;</li>
 * <li>{@code domain#config}: {@link DomainConfig};</li>
 * <li>{@code _schemas/<subject>/<version>}: {@link RegisteredSchema}, a version of a subject of the schemas API;</li>
 * <li>{@code _schemas#config} and {@code _schemas/<subject>#config}: {@link SubjectCompatibility}.</li>
 * </ul>
 * Domain and alias names never contain {@code / @ #} nor start with {@code _}, so a key says what its value is.
 */
public final class DeltaLog {
    private static final String CONFIG_SUFFIX = "#config";
    private static final String SCHEMAS = "_schemas";
    /** A subject of the schemas API: a topic name (Kafka's characters) and {@code -value}. */
    private static final String SUBJECT = "[A-Za-z0-9._-]{1,255}";
    /** Dead-letter reasons of records that cannot be applied. */
    public static final String BAD_KEY = "bad_key";
    public static final String KEY_MISMATCH = "key_mismatch";
    private static final String NAME = DomainNames.PATTERN.pattern();
    private static final Pattern KEY = Pattern.compile("(?<domain>" + NAME + ")(?:/(?<version>[1-9][0-9]{0,9})"
            + "|@(?<alias>" + NAME + ")(?:#(?<move>[0-9]{12}))?|(?<config>#config))"
            + "|" + SCHEMAS + "(?:/" + SUBJECT + "/(?<schemaVersion>[1-9][0-9]{0,9})|(?<level>(?:/" + SUBJECT
            + ")?#config))");

    private DeltaLog() {
    }

    public static String versionKey(String domain, int version) {
        return domain + "/" + version;
    }

    public static String aliasKey(String domain, String alias) {
        return domain + "@" + alias;
    }

    public static String aliasHistoryKey(String domain, String alias, long move) {
        return aliasKey(domain, alias) + String.format("#%012d", move);
    }

    public static String configKey(String domain) {
        return domain + CONFIG_SUFFIX;
    }

    public static String schemaKey(String subject, int version) {
        return SCHEMAS + "/" + subject + "/" + version;
    }

    /** The key of a subject's compatibility level, or of the global one for a null subject. */
    public static String compatibilityKey(String subject) {
        return SCHEMAS + (subject == null ? "" : "/" + subject) + CONFIG_SUFFIX;
    }

    /**
     * The record a key and value hold, decoded by the key's form; empty for a tombstone.
     *
     * @throws Unreadable when the key has none of the forms above, the bytes do not decode, or the
     *                    record is not the one its key names (another domain, version or alias)
     */
    public static Optional<SpecificRecord> decode(String topic, String key, byte[] value) {
        Matcher form = KEY.matcher(key == null ? "" : key);
        if (!form.matches()) {
            throw new Unreadable(BAD_KEY, "Key '" + key + "' has none of the forms domain/version, domain@alias, "
                    + "domain@alias#move, domain#config, _schemas/subject/version, _schemas[/subject]#config");
        }
        if (value == null) {
            return Optional.empty();
        }
        SpecificRecord record;
        String expectedKey;
        try {
            if (form.group("schemaVersion") != null) {
                RegisteredSchema schema = RecordSerdes.of(RegisteredSchema.class).deserialize(topic, value);
                record = schema;
                expectedKey = schemaKey(schema.getSubject(), schema.getVersion());
            } else if (form.group("level") != null) {
                SubjectCompatibility compatibility = RecordSerdes.of(SubjectCompatibility.class)
                        .deserialize(topic, value);
                record = compatibility;
                expectedKey = compatibilityKey(compatibility.getSubject());
            } else if (form.group("config") != null) {
                DomainConfig config = RecordSerdes.domainConfig().deserialize(topic, value);
                record = config;
                expectedKey = configKey(config.getDomain());
            } else if (form.group("alias") != null) {
                AliasPointer pointer = RecordSerdes.aliasPointer().deserialize(topic, value);
                record = pointer;
                expectedKey = aliasKey(pointer.getDomain(), pointer.getAlias())
                        + (form.group("move") == null ? "" : "#" + form.group("move"));
            } else {
                DeltaVersion version = RecordSerdes.deltaVersion().deserialize(topic, value);
                record = version;
                expectedKey = versionKey(version.getDomain(), version.getVersion());
            }
        } catch (UndecodableRecordException e) {
            throw new Unreadable(DeadLetters.UNDECODABLE, e.getMessage());
        }
        if (!expectedKey.equals(key)) {
            throw new Unreadable(KEY_MISMATCH, "Key '" + key + "' holds the record of '" + expectedKey + "'");
        }
        return Optional.of(record);
    }

    /** A record of the log that cannot be applied, with the reason its dead letter carries. */
    public static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Unreadable(String reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** Whether a key is an alias's history entry rather than its current pointer. */
    public static boolean isAliasHistory(String key) {
        return !key.startsWith(SCHEMAS) && key.contains("@") && key.contains("#");
    }
}
