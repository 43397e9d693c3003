package io.continua.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code continua topics}: create Continua's topics on a cluster before its services start. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Create Continua's topics on a Kafka cluster (existing ones are left alone).",
            "The deltas topic is compacted; the keyed topics get --partitions partitions."})
final class TopicsCommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--partitions", defaultValue = "${env:CONTINUA_PARTITIONS:-4}",
            description = "Partitions of the keyed topics (env CONTINUA_PARTITIONS, default ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--replication", defaultValue = "${env:CONTINUA_REPLICATION:-1}",
            description = "Replication factor (env CONTINUA_REPLICATION, default ${DEFAULT-VALUE}).")
    private short replication;

    @Override
    public Integer call() {
        TopicSetup.ensure(cluster.kafka(), cluster.topics(), partitions, replication);
        cluster.topics().all(partitions).forEach(spec -> System.out.printf("%-40s %d partition(s)%s%n", spec.name(),
                spec.partitions(), spec.compacted() ? ", compacted" : ""));
        return 0;
    }
}
