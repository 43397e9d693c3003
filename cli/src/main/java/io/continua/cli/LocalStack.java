package io.continua.cli;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.runtime.NativeCache;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.auth.AdminTokenFile;
import io.continua.registry.auth.ApiToken;
import io.continua.registry.auth.Role;
import io.continua.schemas.kafka.Topics;
import io.continua.serving.ServingConfig;
import io.continua.serving.ServingService;
import io.continua.trainer.TrainerConfig;
import io.continua.trainer.TrainerService;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Every Continua service in one JVM: the embedded broker (unless a cluster is named), the
 * registry, ingest, serving and the trainer, wired through Kafka topics and HTTP only, as separate
 * processes would be. State lives under one data directory.
 */
final class LocalStack implements AutoCloseable {
    /** Ports of the services; 0 picks free ones. */
    record Ports(String host, int kafka, int registry, int serving, int ingest, int trainer) {
        static final Ports DEFAULT = new Ports("127.0.0.1", 9092, 8081, 8082, 8083, 8084);
        static final Ports FREE = new Ports("127.0.0.1", 0, 0, 0, 0, 0);
    }

    final Path dataDir;
    final Topics topics;
    final String bootstrap;
    final String adminToken;
    private final EmbeddedKafka kafka;
    private final Vertx vertx = Vertx.vertx();
    final RegistryService registry;
    final IngestService ingest;
    final ServingService serving;
    final TrainerService trainer;

    private LocalStack(Path dataDir, String externalBootstrap, Topics topics, int partitions, Ports ports,
                       UnaryOperator<TrainerConfig> trainerTuning, PrintStream progress) throws Exception {
        this.dataDir = dataDir;
        this.topics = topics;
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        if (externalBootstrap == null) {
            kafka = EmbeddedKafka.builder(dataDir.resolve("kafka")).port(ports.kafka()).build();
            bootstrap = kafka.start();
            progress.println("Kafka broker (embedded): " + bootstrap);
        } else {
            kafka = null;
            bootstrap = externalBootstrap;
        }
        TopicSetup.ensure(bootstrap, topics, partitions, (short) 1);
        Path registryDir = dataDir.resolve("registry");
        adminToken = AdminTokenFile.readOrCreate(registryDir);
        String trainerToken = AdminTokenFile.randomSecret();
        registry = RegistryService.start(RegistryConfig.defaults(bootstrap, dataDir)
                .withTopics(topics, "continua-registry-writer").withHost(ports.host()).withHttpPort(ports.registry())
                .withTokens(List.of(new ApiToken("admin", Role.ADMIN, adminToken),
                        new ApiToken("trainer", Role.WRITE, trainerToken))), encoder, vertx);
        progress.println("Registry: " + registry.url() + "  (admin token in " + AdminTokenFile.of(registryDir)
                + ")");
        ingest = IngestService.start(IngestConfig.defaults(bootstrap, dataDir).withTopics(topics)
                .withHost(ports.host()).withHttpPort(ports.ingest()), vertx);
        ingest.awaitRunning(Duration.ofSeconds(120));
        progress.println("Ingest:   http://127.0.0.1:" + ingest.httpPort() + "/v1/domains");
        serving = ServingService.start(ServingConfig.defaults(bootstrap, registry.url(), NativeCache.dir())
                .withTopics(topics, "continua-serving").withHost(ports.host()).withHttpPort(ports.serving()), encoder,
                vertx);
        progress.println("Serving:  " + serving.url() + "/v1/domains/{domain}/predict");
        trainer = TrainerService.start(trainerTuning.apply(TrainerConfig.defaults(bootstrap, registry.url(), trainerToken)
                .withTopics(topics, "continua-trainer").withHost(ports.host())
                .withHttpPort(ports.trainer(), Duration.ofSeconds(45))),
                encoder, vertx);
        progress.println("Trainer:  http://127.0.0.1:" + trainer.httpPort() + "/v1/domains");
    }

    static LocalStack start(Path dataDir, String externalBootstrap, Topics topics, int partitions, Ports ports,
                            UnaryOperator<TrainerConfig> trainerTuning, PrintStream progress) throws Exception {
        return new LocalStack(dataDir, externalBootstrap, topics, partitions, ports, trainerTuning, progress);
    }

    @Override
    public void close() throws Exception {
        trainer.close();
        serving.close();
        ingest.close();
        registry.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        if (kafka != null) {
            kafka.close();
        }
    }
}
