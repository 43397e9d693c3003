package io.continua.cli;

import io.continua.kafka.EmbeddedKafka;
import io.continua.schemas.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Runs the embedded single-node broker in the foreground, for local use or other services to join. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Run a real single-node Kafka broker (KRaft) until Ctrl-C.",
            "Its data lives under <data-dir>/kafka; a restart on the same data keeps topics, records and offsets."})
final class KafkaCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:CONTINUA_KAFKA_PORT:-9092}",
            description = "Client port (env CONTINUA_KAFKA_PORT, default ${DEFAULT-VALUE}); 0 picks a free one.")
    private int port;

    @Option(names = "--controller-port", defaultValue = "${env:CONTINUA_KAFKA_CONTROLLER_PORT:-0}",
            description = "KRaft controller port (env CONTINUA_KAFKA_CONTROLLER_PORT); 0, the default, "
                    + "picks a free one and keeps it for this data directory.")
    private int controllerPort;

    @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
            description = "Where Continua keeps its state (env CONTINUA_DATA_DIR, default ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--secure", defaultValue = "${env:CONTINUA_SECURE:-false}", arity = "0..1", fallbackValue = "true",
            description = {"Make a new data directory a secure broker (kept after): SASL SCRAM-SHA-512 for clients,",
                "ACLs enforced. The admin's client settings go to <data-dir>/secrets/admin.properties; create the",
                "services' principals with `continua principals --kafka-config` that file (env CONTINUA_SECURE)."})
    private boolean secure;

    @Option(names = "--node-id", defaultValue = "${env:CONTINUA_KAFKA_NODE_ID:-0}",
            description = {"This node's id in a cluster of several (with --controller-quorum and --cluster-id);",
                "0, the default, runs a single broker (env CONTINUA_KAFKA_NODE_ID)."})
    private int nodeId;

    @Option(names = "--controller-quorum", defaultValue = "${env:CONTINUA_KAFKA_CONTROLLER_QUORUM}",
            paramLabel = "ID@HOST:PORT,...",
            description = {"Every node of the cluster as id@host:controller-port (each node is broker and",
                "controller); internal topics get replication factor 3 and min.insync.replicas 2",
                "(env CONTINUA_KAFKA_CONTROLLER_QUORUM)."})
    private String controllerQuorum;

    @Option(names = "--cluster-id", defaultValue = "${env:CONTINUA_KAFKA_CLUSTER_ID}",
            description = "The cluster's id, the same on every node (env CONTINUA_KAFKA_CLUSTER_ID).")
    private String clusterId;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder(dataDir.resolve("kafka"))
                .port(port)
                .controllerPort(controllerPort)
                .secure(secure);
        if (nodeId > 0) {
            if (controllerQuorum == null || clusterId == null) {
                throw new ParameterException(new CommandLine(this),
                        "--node-id needs --controller-quorum and --cluster-id");
            }
            builder.quorum(new EmbeddedKafka.Quorum(nodeId, controllerQuorum, clusterId));
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
