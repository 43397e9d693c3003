package io.continua.schemas.kafka;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.serde.RecordSerdes;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Keys and values of the compacted {@code deltas} topic, the registry's log of record:
 * <ul>
 * <li>{@code domain/version}: {@link DeltaVersion} (latest state of that version);</li>
 * <li>{@code domain@alias}: {@link AliasPointer}, where the alias points now;</li>
 * <li>{@code domain@alias#000000000042}: {@link AliasPointer}, the 42nd move of that alias, kept so
 *     that compaction never erases an alias's history;</li>
 * <li>{@code domain#config}: {@link DomainConfig}.</li>
 * </ul>
 * Domain and alias names never contain {@code / @ #}, so a key says what its value is.
 */
public final class DeltaLog {
    private static final String CONFIG_SUFFIX = "#config";

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

    /** The record a key and value hold, decoded by the key's form; empty for a tombstone. */
    public static Optional<SpecificRecord> decode(String topic, String key, byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        if (key.endsWith(CONFIG_SUFFIX)) {
            return Optional.of(RecordSerdes.domainConfig().deserialize(topic, value));
        }
        if (key.contains("@")) {
            return Optional.of(RecordSerdes.aliasPointer().deserialize(topic, value));
        }
        return Optional.of(RecordSerdes.deltaVersion().deserialize(topic, value));
    }

    /** Whether a key is an alias's history entry rather than its current pointer. */
    public static boolean isAliasHistory(String key) {
        return key.contains("@") && key.contains("#");
    }
}
