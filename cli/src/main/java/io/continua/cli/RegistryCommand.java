package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.auth.ApiToken;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the registry alone against a Kafka cluster, until Ctrl-C. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {"Run the registry alone against a Kafka cluster until Ctrl-C.",
            "Versioned deltas behind the /v1 HTTP API, with the deltas topic as log of record. Start further",
            "instances with --read-only to serve reads."})
final class RegistryCommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private DeltaKeyOptions deltaKeys;

    @Option(names = "--deltas-signing-key", defaultValue = "${env:CONTINUA_DELTAS_SIGNING_KEY}", paramLabel = "FILE",
            description = {"The Ed25519 key pair (PEM: private key, then public key) this writer signs every deltas",
                "record with; it also checks what it reads (env CONTINUA_DELTAS_SIGNING_KEY)."})
    private Path signingKey;

    @Option(names = "--http-port", defaultValue = "${env:CONTINUA_REGISTRY_PORT:-8081}",
            description = "HTTP port (env CONTINUA_REGISTRY_PORT, default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--tokens", defaultValue = "${env:CONTINUA_REGISTRY_TOKENS:-}",
            description = {"Bearer tokens as name:role:secret, comma-separated; roles read, write, admin",
                "(env CONTINUA_REGISTRY_TOKENS). Without any, an admin token is generated into",
                "<data-dir>/registry/admin.token."})
    private String tokens;

    @Option(names = "--read-only", defaultValue = "${env:CONTINUA_REGISTRY_READ_ONLY:-false}", arity = "0..1",
            fallbackValue = "true",
            description = "Serve reads only, beside a writing instance (env CONTINUA_REGISTRY_READ_ONLY).")
    private boolean readOnly;

    @Option(names = "--max-artifact-bytes", defaultValue = "${env:CONTINUA_MAX_ARTIFACT_BYTES:-67108864}",
            description = "Largest accepted archive (env CONTINUA_MAX_ARTIFACT_BYTES, default ${DEFAULT-VALUE}).")
    private long maxArtifactBytes;

    @Override
    public Integer call() throws InterruptedException {
        RegistryConfig defaults = RegistryConfig.defaults(cluster.kafka().bootstrapServers(), cluster.dataDir);
        RegistryConfig config = new RegistryConfig(cluster.kafka(), cluster.topics(), defaults.dir(), defaults.host(),
                httpPort, parseTokens(tokens), readOnly, maxArtifactBytes, defaults.transactionalId(), signatures());
        Vertx vertx = Vertx.vertx();
        RegistryService registry = RegistryService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx);
        CountDownLatch stopped = OnShutdown.close("registry", registry, vertx::close);
        System.out.println("Registry ready on " + registry.url() + " (OpenAPI at " + registry.url() + "/openapi.json)");
        stopped.await();
        return 0;
    }

    /** The signing key pair also checks; a writer given only a verify key is refused by its config. */
    private DeltaLogSignatures signatures() {
        return signingKey != null ? DeltaLogSignatures.signing(DeltaLogSignatures.readKeyPair(signingKey))
                : deltaKeys.signatures();
    }

    static List<ApiToken> parseTokens(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(entry -> !entry.isEmpty())
                .map(ApiToken::parse).toList();
    }
}
