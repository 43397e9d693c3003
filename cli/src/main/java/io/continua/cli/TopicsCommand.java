package io.continua.cli;

import io.continua.schemas.kafka.Topics;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code continua topics}: create Continua's topics on a cluster before its services start. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Create Continua's topics on a Kafka cluster (existing ones are left alone).",
            "The deltas topic is compacted; the keyed topics get --partitions partitions."})
final class TopicsCommand extends SettingsCommand {
    @Option(names = "--partitions", defaultValue = "${env:CONTINUA_PARTITIONS:-4}",
            description = "Partitions of the keyed topics (env CONTINUA_PARTITIONS, default ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--replication", defaultValue = "${env:CONTINUA_REPLICATION:-1}",
            description = "Replication factor (env CONTINUA_REPLICATION, default ${DEFAULT-VALUE}).")
    private short replication;

    @Override
    public SettingDefs settingDefs() {
        return ClusterSettings.DEFS;
    }

    @Override
    int run(SettingValues settings) {
        Topics topics = SharedSettings.topics(settings);
        TopicSetup.ensure(SharedSettings.kafka(settings), topics, partitions, replication);
        topics.all(partitions).forEach(spec -> System.out.printf("%-40s %d partition(s)%s%n", spec.name(),
                spec.partitions(), spec.compacted() ? ", compacted" : ""));
        return 0;
    }
}
