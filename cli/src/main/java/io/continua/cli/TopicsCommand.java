package io.continua.cli;

import io.continua.schemas.kafka.Topics;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.service.settings.Validator;
import java.util.List;
import picocli.CommandLine.Command;


/** {@code continua topics}: create Continua's topics on a cluster before its services start. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Create Continua's topics on a Kafka cluster (existing ones are left alone).",
            "The deltas topic is compacted; the keyed topics get --partitions partitions."})
final class TopicsCommand extends SettingsCommand {
    static final Setting<Integer> PARTITIONS = Setting.of("partitions", SettingType.INT,
            "partitions of the keyed topics when they are created").defaultTo(4).validatedBy(Validator.atLeast(1));
    static final Setting<Integer> REPLICATION = Setting.of("replication", SettingType.INT,
            "replication factor of the topics when they are created (3 in production)").defaultTo(1)
            .validatedBy(Validator.between(1, Short.MAX_VALUE + 0));
    static final SettingDefs DEFS = SettingDefs.of("topics", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR, PARTITIONS,
            REPLICATION));

    @Override
    public SettingDefs settingDefs() {
        return DEFS;
    }

    @Override
    int run(SettingValues settings) {
        Topics topics = SharedSettings.topics(settings);
        int partitions = settings.get(PARTITIONS);
        TopicSetup.ensure(SharedSettings.kafka(settings), topics, partitions, settings.get(REPLICATION).shortValue());
        topics.all(partitions).forEach(spec -> System.out.printf("%-40s %d partition(s)%s%n", spec.name(),
                spec.partitions(), spec.compacted() ? ", compacted" : ""));
        return 0;
    }
}
