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
import io.continua.cli.ServicePrincipals.Names;
import io.continua.cli.ServicePrincipals.Principal;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import io.continua.serving.ServingConfig;
import io.continua.serving.ServingService;
import io.continua.trainer.TrainerConfig;
import io.continua.trainer.TrainerService;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    private static final String SERVING_GROUP = "continua-serving";
    private static final String TRAINER_GROUP = "continua-trainer";

    final Path dataDir;
    final Topics topics;
    /** How producers and consumers of the stack's topics connect (the {@code client} principal when secure). */
    final KafkaConnection client;
    final String adminToken;
    private final EmbeddedKafka kafka;
    private final Vertx vertx = Vertx.vertx();
    final RegistryService registry;
    final IngestService ingest;
    final ServingService serving;
    final TrainerService trainer;

    private LocalStack(Path dataDir, String externalBootstrap, boolean secure, Topics topics, int partitions,
                       Ports ports, UnaryOperator<TrainerConfig> trainerTuning, PrintStream progress) throws Exception {
        this.dataDir = dataDir;
        this.topics = topics;
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        String bootstrap;
        if (externalBootstrap == null) {
            kafka = EmbeddedKafka.builder(dataDir.resolve("kafka")).port(ports.kafka()).secure(secure).build();
            bootstrap = kafka.start();
            progress.println("Kafka broker (embedded): " + bootstrap + (kafka.secure()
                    ? " (SASL SCRAM and ACLs; client settings per service in " + secrets(dataDir) + ")" : ""));
        } else if (secure) {
            throw new IllegalArgumentException("--secure secures the embedded broker; on a cluster of your own, run "
                    + "each service with its own --kafka-config");
        } else {
            kafka = null;
            bootstrap = externalBootstrap;
        }
        Path registryDir = dataDir.resolve("registry");
        adminToken = AdminTokenFile.readOrCreate(registryDir);
        String trainerToken = AdminTokenFile.randomSecret();
        RegistryConfig registryConfig = RegistryConfig.defaults(bootstrap, dataDir)
                .withTopics(topics, "continua-registry-writer").withHost(ports.host()).withHttpPort(ports.registry())
                .withTokens(List.of(new ApiToken("admin", Role.ADMIN, adminToken),
                        new ApiToken("trainer", Role.WRITE, trainerToken)));
        IngestConfig ingestConfig = IngestConfig.defaults(bootstrap, dataDir).withTopics(topics)
                .withHost(ports.host()).withHttpPort(ports.ingest());
        KafkaConnection servingKafka = KafkaConnection.plaintext(bootstrap);
        KafkaConnection trainerKafka = servingKafka;
        DeltaLogSignatures servingSignatures = DeltaLogSignatures.NONE;
        if (kafka != null && kafka.secure()) {
            KafkaConnection admin = new KafkaConnection(bootstrap, kafka.adminClientSettings());
            Map<Principal, KafkaConnection> principals = ServicePrincipals.provision(admin, topics, new Names(
                    registryConfig.transactionalId(), ingestConfig.applicationId(), TRAINER_GROUP, SERVING_GROUP,
                    "continua-client"), secrets(dataDir));
            KeyPair deltaKeys = ServicePrincipals.deltaKeys(secrets(dataDir));
            registryConfig = registryConfig.withKafka(principals.get(Principal.REGISTRY))
                    .withDeltaSignatures(DeltaLogSignatures.signing(deltaKeys));
            ingestConfig = ingestConfig.withKafka(principals.get(Principal.INGEST));
            servingKafka = principals.get(Principal.SERVING);
            servingSignatures = DeltaLogSignatures.verifying(deltaKeys.getPublic());
            trainerKafka = principals.get(Principal.TRAINER);
            client = principals.get(Principal.CLIENT);
            TopicSetup.ensure(admin, topics, partitions, (short) 1);
        } else {
            client = KafkaConnection.plaintext(bootstrap);
            TopicSetup.ensure(client, topics, partitions, (short) 1);
        }
        registry = RegistryService.start(registryConfig, encoder, vertx);
        progress.println("Registry: " + registry.url() + "  (admin token in " + AdminTokenFile.of(registryDir)
                + ")");
        ingest = IngestService.start(ingestConfig, vertx);
        ingest.awaitRunning(Duration.ofSeconds(120));
        progress.println("Ingest:   http://127.0.0.1:" + ingest.httpPort() + "/v1/domains");
        serving = ServingService.start(ServingConfig.defaults(bootstrap, registry.url(), NativeCache.dir())
                .withKafka(servingKafka).withDeltaSignatures(servingSignatures).withTopics(topics, SERVING_GROUP)
                .withHost(ports.host()).withHttpPort(ports.serving()), encoder, vertx);
        progress.println("Serving:  " + serving.url() + "/v1/domains/{domain}/predict");
        trainer = TrainerService.start(trainerTuning.apply(TrainerConfig.defaults(bootstrap, registry.url(), trainerToken)
                .withKafka(trainerKafka).withTopics(topics, TRAINER_GROUP).withHost(ports.host())
                .withHttpPort(ports.trainer(), Duration.ofSeconds(45))), encoder, vertx);
        progress.println("Trainer:  http://127.0.0.1:" + trainer.httpPort() + "/v1/domains");
    }

    /**
     * Starts the stack.
     *
     * @param externalBootstrap a cluster of the caller's, or null for the embedded broker
     * @param secure            a new embedded broker authenticates every client and holds each service to its ACLs
     */
    static LocalStack start(Path dataDir, String externalBootstrap, boolean secure, Topics topics, int partitions,
                            Ports ports, UnaryOperator<TrainerConfig> trainerTuning, PrintStream progress)
            throws Exception {
        return new LocalStack(dataDir, externalBootstrap, secure, topics, partitions, ports, trainerTuning, progress);
    }

    static Path secrets(Path dataDir) {
        return dataDir.resolve("secrets");
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
