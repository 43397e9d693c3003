package io.continua.cli;

import io.continua.kafka.EmbeddedKafka;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.service.settings.Importance;
import io.continua.service.settings.InvalidSettingException;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.service.settings.Validator;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** Runs the embedded single-node broker in the foreground, for local use or other services to join. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Run a real single-node Kafka broker (KRaft) until Ctrl-C.",
            "Its data lives under <data-dir>/kafka; a restart on the same data keeps topics, records and offsets."})
final class KafkaCommand extends SettingsCommand {
    static final Setting<Integer> PORT = Setting.port("kafka.port", "the broker's client port (0: a free one)", 9092);
    static final Setting<Integer> CONTROLLER_PORT = Setting.port("kafka.controller.port",
            "the KRaft controller port (0: a free one, picked once and kept for the data directory)", 0)
            .importance(Importance.MEDIUM);
    static final Setting<Boolean> SECURE = Setting.of("secure", SettingType.BOOLEAN,
            "make a new data directory a secure broker (kept after): SASL SCRAM-SHA-512 for clients, ACLs "
                    + "enforced; the admin's client settings go to `<data-dir>/secrets/admin.properties`, for "
                    + "`continua principals --kafka-config`").defaultTo(false).importance(Importance.HIGH);
    static final Setting<Integer> NODE_ID = Setting.of("kafka.node.id", SettingType.INT,
            "this node's id in a cluster of several, each broker and controller (with the quorum and cluster id; "
                    + "internal topics then get replication factor 3 and `min.insync.replicas` 2); 0: a single broker")
            .defaultTo(0).validatedBy(Validator.atLeast(0));
    static final Setting<String> CONTROLLER_QUORUM = Setting.of("kafka.controller.quorum", SettingType.STRING,
            "every node of the cluster as `id@host:controller-port`, comma-separated");
    static final Setting<String> CLUSTER_ID = Setting.of("kafka.cluster.id", SettingType.STRING,
            "the cluster's id, the same on every node");
    static final SettingDefs DEFS = SettingDefs.of("kafka", List.of(PORT, SharedSettings.DATA_DIR, SECURE,
            CONTROLLER_PORT, NODE_ID, CONTROLLER_QUORUM, CLUSTER_ID));

    @Override
    public SettingDefs settingDefs() {
        return DEFS;
    }

    @Override
    int run(SettingValues settings) throws InterruptedException {
        Path dataDir = settings.get(SharedSettings.DATA_DIR);
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder(dataDir.resolve("kafka"))
                .port(settings.get(PORT))
                .controllerPort(settings.get(CONTROLLER_PORT))
                .secure(settings.get(SECURE));
        if (settings.get(NODE_ID) > 0) {
            if (settings.get(CONTROLLER_QUORUM) == null || settings.get(CLUSTER_ID) == null) {
                throw new InvalidSettingException(List.of(NODE_ID.flag() + " needs " + CONTROLLER_QUORUM.flag()
                        + " and " + CLUSTER_ID.flag()));
            }
            builder.quorum(new EmbeddedKafka.Quorum(settings.get(NODE_ID), settings.get(CONTROLLER_QUORUM),
                    settings.get(CLUSTER_ID)));
        }
        EmbeddedKafka kafka = builder.build();
        CountDownLatch stopped = OnShutdown.close("kafka", kafka);
        String bootstrap = kafka.start();
        if (kafka.secure()) {
            Path adminFile = LocalStack.secrets(dataDir).resolve("admin.properties");
            ServicePrincipals.writeClientFile(adminFile, new KafkaConnection(bootstrap, kafka.adminClientSettings()));
            System.out.println("Secure: SASL SCRAM-SHA-512 and ACLs; admin client settings in " + adminFile);
        }
        System.out.println("Kafka broker ready. Bootstrap servers: " + bootstrap);
        System.out.println("Data in " + kafka.dataDir() + ". Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
