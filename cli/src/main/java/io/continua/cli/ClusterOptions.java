package io.continua.cli;

import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Kafka cluster is, how its topics are named, and where local state goes: shared by the service commands. */
final class ClusterOptions {
    private static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = "--bootstrap", defaultValue = "${env:CONTINUA_BOOTSTRAP}",
            description = {"Kafka bootstrap servers (env CONTINUA_BOOTSTRAP; default: bootstrap.servers of",
                "--kafka-config, else " + DEFAULT_BOOTSTRAP + ")."})
    String bootstrap;

    @Option(names = "--kafka-config", defaultValue = "${env:CONTINUA_KAFKA_CONFIG}", paramLabel = "FILE",
            description = {"Kafka client settings shared by this command's clients, as a properties file (what",
                "Kafka's tools take as --command-config): security.protocol, sasl.mechanism, sasl.jaas.config,",
                "ssl.* (env CONTINUA_KAFKA_CONFIG; `up --secure` writes one per service under",
                "<data-dir>/secrets)."})
    Path kafkaConfig;

    @Option(names = "--topic-prefix", defaultValue = "${env:CONTINUA_TOPIC_PREFIX:-continua.}",
            description = "Prefix of every topic (env CONTINUA_TOPIC_PREFIX, default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
            description = "Where Continua keeps its state (env CONTINUA_DATA_DIR, default ${DEFAULT-VALUE}).")
    Path dataDir;

    Topics topics() {
        return new Topics(topicPrefix);
    }

    KafkaConnection kafka() {
        if (kafkaConfig != null) {
            return KafkaConnection.fromFile(bootstrap, kafkaConfig);
        }
        return KafkaConnection.plaintext(bootstrap == null ? DEFAULT_BOOTSTRAP : bootstrap);
    }
}
