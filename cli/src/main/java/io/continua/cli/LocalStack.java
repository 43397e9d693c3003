package io.continua.cli;

import io.continua.cli.ServicePrincipals.Names;
import io.continua.cli.ServicePrincipals.Principal;
import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.continua.ingest.IngestSettings;
import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.RegistrySettings;
import io.continua.registry.auth.AdminTokenFile;
import io.continua.registry.http.RegistryApi;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import io.continua.service.lifecycle.Resources;
import io.continua.service.lifecycle.ServiceVerticle;
import io.continua.service.settings.ServiceConfig;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.serving.ServingConfig;
import io.continua.serving.ServingService;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerConfig;
import io.continua.trainer.TrainerService;
import io.continua.trainer.TrainerSettings;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
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
        static final Ports FREE = new Ports("127.0.0.1", 0, 0, 0, 0, 0);
    }

    final Path dataDir;
    final Topics topics;
    private final Resources resources = new Resources("local stack");
    // Set once, while the stack starts.
    /** How producers and consumers of the stack's topics connect (the {@code client} principal when secure). */
    KafkaConnection client;
    String adminToken;
    RegistryService registry;
    IngestService ingest;
    ServingService serving;
    TrainerService trainer;

    private LocalStack(Path dataDir, String externalBootstrap, boolean secure, Topics topics, int partitions,
                       Ports ports, SettingValues tuning, UnaryOperator<TrainerConfig> trainerTuning,
                       PrintStream progress) throws Exception {
        this.dataDir = dataDir;
        this.topics = topics;
        try {
            start(dataDir, externalBootstrap, secure, partitions, ports, tuning, trainerTuning, progress);
        } catch (Exception | Error e) {
            resources.close();
            throw e;
        }
    }

    private void start(Path dataDir, String externalBootstrap, boolean secure, int partitions, Ports ports,
                       SettingValues tuning, UnaryOperator<TrainerConfig> trainerTuning, PrintStream progress)
            throws Exception {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        String bootstrap;
        EmbeddedKafka kafka = null;
        if (externalBootstrap == null) {
            kafka = resources.add("kafka", EmbeddedKafka.builder(dataDir.resolve("kafka")).port(ports.kafka())
                    .secure(secure).build());
            bootstrap = kafka.start();
            progress.println("Kafka broker (embedded): " + bootstrap + (kafka.secure()
                    ? " (SASL SCRAM and ACLs; client settings per service in " + secrets(dataDir) + ")" : ""));
        } else if (secure) {
            throw new IllegalArgumentException("--secure secures the embedded broker; on a cluster of your own, run "
                    + "each service with its own --kafka-config");
        } else {
            bootstrap = externalBootstrap;
        }
        Vertx vertx = Vertx.vertx();
        resources.add("vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture().join());
        Path registryDir = dataDir.resolve("registry");
        adminToken = AdminTokenFile.readOrCreate(registryDir);
        String trainerToken = AdminTokenFile.randomSecret();
        RegistryConfig registryConfig = placed(RegistryConfig.defaults(bootstrap, dataDir), tuning, ports.host(),
                RegistrySettings.PORT, ports.registry())
                .with(RegistrySettings.TOKENS, List.of("admin:admin:" + adminToken, "trainer:write:" + trainerToken));
        IngestConfig ingestConfig = placed(IngestConfig.defaults(bootstrap, dataDir), tuning, ports.host(),
                IngestSettings.PORT, ports.ingest());
        ServingConfig servingConfig = placed(ServingConfig.defaults(bootstrap, "http://unused"), tuning, ports.host(),
                ServingSettings.PORT, ports.serving());
        TrainerConfig trainerConfig = placed(TrainerConfig.defaults(bootstrap, "http://unused", trainerToken),
                tuning, ports.host(), TrainerSettings.PORT, ports.trainer());
        if (kafka != null && kafka.secure()) {
            Path secrets = secrets(dataDir);
            KafkaConnection admin = new KafkaConnection(bootstrap, kafka.adminClientSettings());
            Map<Principal, KafkaConnection> principals = ServicePrincipals.provision(admin, topics, new Names(
                    registryConfig.transactionalId(), ingestConfig.applicationId(), trainerConfig.groupId(),
                    servingConfig.groupId(), "continua-client"), secrets);
            ServicePrincipals.deltaKeys(secrets);
            registryConfig = registryConfig
                    .with(SharedSettings.KAFKA_CONFIG, clientFile(secrets, Principal.REGISTRY))
                    .with(RegistrySettings.SIGNING_KEY, secrets.resolve(ServicePrincipals.SIGNING_KEY_FILE));
            ingestConfig = ingestConfig.with(SharedSettings.KAFKA_CONFIG, clientFile(secrets, Principal.INGEST));
            servingConfig = servingConfig
                    .with(SharedSettings.KAFKA_CONFIG, clientFile(secrets, Principal.SERVING))
                    .with(SharedSettings.DELTAS_VERIFY_KEY, secrets.resolve(ServicePrincipals.VERIFY_KEY_FILE));
            trainerConfig = trainerConfig.with(SharedSettings.KAFKA_CONFIG, clientFile(secrets, Principal.TRAINER));
            client = principals.get(Principal.CLIENT);
            TopicSetup.ensure(admin, topics, partitions, (short) 1);
        } else {
            client = KafkaConnection.plaintext(bootstrap);
            TopicSetup.ensure(client, topics, partitions, (short) 1);
        }
        RegistryConfig registrySettings = registryConfig;
        registry = deploy(vertx, "registry", v -> RegistryService.start(registrySettings, encoder, v));
        progress.println("Registry: " + registry.url() + "  (admin token in " + AdminTokenFile.of(registryDir)
                + ")");
        // Confluent-format records resolve their schema ids at this stack's own registry.
        String schemasApi = registry.url() + RegistryApi.SCHEMAS_API;
        IngestConfig ingestSettings = ingestConfig.with(SharedSettings.SCHEMA_REGISTRY_URL, schemasApi);
        ingest = deploy(vertx, "ingest", v -> IngestService.start(ingestSettings, v));
        ingest.awaitRunning(Duration.ofSeconds(120));
        progress.println("Ingest:   http://127.0.0.1:" + ingest.httpPort() + "/v1/domains");
        ServingConfig servingSettings = servingConfig.with(SharedSettings.REGISTRY_URL, registry.url())
                .with(SharedSettings.SCHEMA_REGISTRY_URL, schemasApi);
        serving = deploy(vertx, "serving", v -> ServingService.start(servingSettings, encoder, v));
        progress.println("Serving:  " + serving.url() + "/v1/domains/{domain}/predict");
        TrainerConfig trainerSettings = trainerTuning.apply(trainerConfig.with(SharedSettings.REGISTRY_URL,
                registry.url()));
        trainer = deploy(vertx, "trainer", v -> TrainerService.start(trainerSettings, encoder, v));
        progress.println("Trainer:  http://127.0.0.1:" + trainer.httpPort() + "/v1/domains");
    }

    /** A service's config in this stack: the stack's tuning, its topics, and where it listens. */
    private <C extends ServiceConfig<C>> C placed(C config, SettingValues tuning, String host, Setting<Integer> port,
                                                  int number) {
        return config.withValuesOf(tuning, UpCommand.TUNING).with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(SharedSettings.HOST, host).with(port, number);
    }

    /** Deploys a service as a verticle; closing the stack undeploys it (the last deployed first). */
    private <S extends AutoCloseable> S deploy(Vertx vertx, String name, ServiceVerticle.Start<S> start)
            throws Exception {
        ServiceVerticle<S> verticle = new ServiceVerticle<>(name, start);
        S service = ServiceVerticle.deploy(vertx, verticle);
        resources.add(name, () -> vertx.undeploy(verticle.deploymentID()).toCompletionStage().toCompletableFuture()
                .join());
        return service;
    }

    /**
     * Starts the stack.
     *
     * @param externalBootstrap a cluster of the caller's, or null for the embedded broker
     * @param secure            a new embedded broker authenticates every client and holds each service to its ACLs
     */
    static LocalStack start(Path dataDir, String externalBootstrap, boolean secure, Topics topics, int partitions,
                            Ports ports, SettingValues tuning, UnaryOperator<TrainerConfig> trainerTuning,
                            PrintStream progress) throws Exception {
        return new LocalStack(dataDir, externalBootstrap, secure, topics, partitions, ports, tuning, trainerTuning,
                progress);
    }

    private static Path clientFile(Path secrets, Principal principal) {
        return secrets.resolve(principal.user() + ".properties");
    }

    static Path secrets(Path dataDir) {
        return dataDir.resolve("secrets");
    }

    @Override
    public void close() {
        resources.close();
    }
}
