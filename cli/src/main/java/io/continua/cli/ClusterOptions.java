package io.continua.cli;

import io.continua.schemas.kafka.Topics;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Kafka cluster is, how its topics are named, and where local state goes: shared by the service commands. */
final class ClusterOptions {
    @Option(names = "--bootstrap", defaultValue = "${env:CONTINUA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (env CONTINUA_BOOTSTRAP, default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = "${env:CONTINUA_TOPIC_PREFIX:-continua.}",
            description = "Prefix of every topic (env CONTINUA_TOPIC_PREFIX, default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
            description = "Where Continua keeps its state (env CONTINUA_DATA_DIR, default ${DEFAULT-VALUE}).")
    Path dataDir;

    Topics topics() {
        return new Topics(topicPrefix);
    }
}
