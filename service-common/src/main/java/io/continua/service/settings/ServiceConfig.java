package io.continua.service.settings;

import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.RecordFormat;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A service's configuration: its setting values, checked against the service's definitions, and what follows
 * from them. Copies with one setting changed come from {@link #with}; there are no positional constructors.
 *
 * @param <C> the service's own configuration type
 */
public abstract class ServiceConfig<C extends ServiceConfig<C>> {
    private final SettingValues values;
    /** Read from the Kafka config file on first use: the copies made while a config is built never read it. */
    private volatile KafkaConnection kafka;
    private ConfluentSchemas confluent;

    protected ServiceConfig(SettingValues values) {
        this.values = values;
    }

    /** A copy of this configuration (collaborators included) with other values. */
    protected abstract C withValues(SettingValues newValues);

    public final <T> C with(Setting<T> setting, T value) {
        return withValues(values.with(setting, value));
    }

    /**
     * A copy with the values {@code from} has for those of {@code settings} this service takes: how a stack of
     * services passes one set of tuning on to each.
     */
    public final C withValuesOf(SettingValues from, Collection<Setting<?>> settings) {
        SettingValues copy = values;
        for (Setting<?> setting : settings) {
            if (copy.defs().defines(setting)) {
                copy = copied(copy, from, setting);
            }
        }
        return withValues(copy);
    }

    private static <T> SettingValues copied(SettingValues to, SettingValues from, Setting<T> setting) {
        return to.with(setting, from.get(setting));
    }

    public final <T> T get(Setting<T> setting) {
        return values.get(setting);
    }

    public final SettingValues values() {
        return values;
    }

    /** The cluster and the client settings (security) this service connects with. */
    public final KafkaConnection kafka() {
        KafkaConnection connection = kafka;
        if (connection == null) {
            connection = SharedSettings.kafka(values);
            kafka = connection;
        }
        return connection;
    }

    public final Topics topics() {
        return SharedSettings.topics(values);
    }

    /** Where the HTTP server listens. */
    public final String host() {
        return values.get(SharedSettings.HOST);
    }

    /** The encodings this service reads its input records in. */
    public final Set<RecordFormat> inputFormats() {
        return values.get(SharedSettings.INPUT_FORMATS).stream().map(RecordFormat::fromKey)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(RecordFormat.class)));
    }

    /**
     * Resolves the schema ids of Confluent-format records: one per configuration, as it caches what it learns.
     * For services that take {@link SharedSettings#SCHEMA_REGISTRY_URL}.
     */
    public final synchronized ConfluentSchemas confluentSchemas() {
        if (confluent == null) {
            confluent = SharedSettings.confluentSchemas(values);
        }
        return confluent;
    }

    public final Path dataDir() {
        return values.get(SharedSettings.DATA_DIR);
    }
}
