package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.auth.ApiToken;
import io.continua.schemas.kafka.Topics;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the registry alone against a Kafka cluster, until Ctrl-C. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {"Run the registry (versioned deltas behind the /v1 HTTP API, log of record on the deltas",
            "topic) against a Kafka cluster until Ctrl-C. Start further instances with --read-only to serve reads."})
final class RegistryCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "${env:CONTINUA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (env CONTINUA_BOOTSTRAP, default ${DEFAULT-VALUE}).")
    private String bootstrap;

    @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
            description = "Blobs go under <data-dir>/registry (env CONTINUA_DATA_DIR, default ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--topic-prefix", defaultValue = "${env:CONTINUA_TOPIC_PREFIX:-continua.}",
            description = "Prefix of every topic (env CONTINUA_TOPIC_PREFIX, default ${DEFAULT-VALUE}).")
    private String topicPrefix;

    @Option(names = "--http-port", defaultValue = "${env:CONTINUA_REGISTRY_PORT:-8081}",
            description = "HTTP port (env CONTINUA_REGISTRY_PORT, default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--tokens", defaultValue = "${env:CONTINUA_REGISTRY_TOKENS:-}",
            description = {"Bearer tokens as name:role:secret, comma-separated; roles read, write, admin",
                "(env CONTINUA_REGISTRY_TOKENS). Without any, an admin token is generated into",
                "<data-dir>/registry/admin.token."})
    private String tokens;

    @Option(names = "--read-only", defaultValue = "${env:CONTINUA_REGISTRY_READ_ONLY:-false}",
            description = "Serve reads only, beside a writing instance (env CONTINUA_REGISTRY_READ_ONLY).")
    private boolean readOnly;

    @Option(names = "--max-artifact-bytes", defaultValue = "${env:CONTINUA_MAX_ARTIFACT_BYTES:-67108864}",
            description = "Largest accepted archive (env CONTINUA_MAX_ARTIFACT_BYTES, default ${DEFAULT-VALUE}).")
    private long maxArtifactBytes;

    @Override
    public Integer call() throws InterruptedException {
        RegistryConfig defaults = RegistryConfig.defaults(bootstrap, dataDir);
        RegistryConfig config = new RegistryConfig(bootstrap, new Topics(topicPrefix), defaults.dir(), defaults.host(),
                httpPort, parseTokens(tokens), readOnly, maxArtifactBytes, defaults.transactionalId());
        Vertx vertx = Vertx.vertx();
        RegistryService registry = RegistryService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                registry.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            vertx.close();
            stopped.countDown();
        }, "registry-shutdown"));
        System.out.println("Registry ready on " + registry.url() + " (OpenAPI at " + registry.url() + "/openapi.json)");
        stopped.await();
        return 0;
    }

    static List<ApiToken> parseTokens(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(entry -> !entry.isEmpty())
                .map(ApiToken::parse).toList();
    }
}
