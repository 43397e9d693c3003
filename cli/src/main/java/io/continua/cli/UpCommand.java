package io.continua.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code continua up}: the whole system in one JVM until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run every service in one JVM until Ctrl-C.",
            "The embedded Kafka broker (unless --bootstrap names a cluster), the registry, ingest, serving and",
            "the trainer, with the topics created."})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "${env:CONTINUA_BOOTSTRAP}",
            description = "An existing Kafka cluster (env CONTINUA_BOOTSTRAP); without it the embedded broker runs.")
    private String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = "${env:CONTINUA_TOPIC_PREFIX:-continua.}",
            description = "Prefix of every topic (env CONTINUA_TOPIC_PREFIX, default ${DEFAULT-VALUE}).")
    private String topicPrefix;

    @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
            description = "Where Continua keeps its state (env CONTINUA_DATA_DIR, default ${DEFAULT-VALUE}).")
    private java.nio.file.Path dataDir;

    @Option(names = "--partitions", defaultValue = "${env:CONTINUA_PARTITIONS:-4}",
            description = "Partitions of the keyed topics when they are created (default ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--secure", defaultValue = "${env:CONTINUA_SECURE:-false}", arity = "0..1", fallbackValue = "true",
            description = {"Secure the embedded broker when its data directory is first made (kept after): every",
                "client authenticates (SASL SCRAM-SHA-512), each service as its own principal held to ACLs (only",
                "the registry may write the deltas topic), and the registry signs every deltas record, which",
                "serving checks. Client settings per principal go to <data-dir>/secrets (env CONTINUA_SECURE)."})
    private boolean secure;

    @Mixin
    private PortOptions ports;

    @Override
    public Integer call() throws Exception {
        LocalStack stack = LocalStack.start(dataDir, bootstrap, secure,
                new io.continua.schemas.kafka.Topics(topicPrefix),
                partitions, ports.ports(), config -> config, System.out);
        CountDownLatch stopped = OnShutdown.close("up", stack);
        System.out.println("Continua is up. Publish with `./continua publish --domain D --file F.jsonl"
                + (stack.client.secured() ? " --kafka-config " + LocalStack.secrets(dataDir).resolve("client.properties")
                : "") + "`; Ctrl-C stops.");
        stopped.await();
        return 0;
    }
}
