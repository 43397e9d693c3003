package io.continua.serving;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.settings.SharedSettings;
import io.continua.serving.deltas.ArtifactSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A real broker, a real registry and a serving service on their own topics: what serving tests run against. */
final class ServingStack implements AutoCloseable {
    static final String TOKEN = "serving-test-admin";
    static final List<String> LABELS = List.of("card_arrival", "top_up", "refund", "lost_card");

    final PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
    final Vertx vertx = Vertx.vertx();
    final EmbeddedKafka kafka;
    final Topics topics;
    final Path dir;
    final RegistryService registry;
    final RegistryClient client;
    ServingService serving;

    ServingStack(EmbeddedKafka kafka) throws InterruptedException {
        this(kafka, DeltaLogSignatures.NONE);
    }

    /** A stack whose registry signs (or not) the deltas log with {@code registrySignatures}. */
    ServingStack(EmbeddedKafka kafka, DeltaLogSignatures registrySignatures) throws InterruptedException {
        this.kafka = kafka;
        String run = UUID.randomUUID().toString().substring(0, 8);
        this.topics = new Topics("srv-" + run + ".");
        kafka.createTopics(topics.newTopics(2, (short) 1));
        this.dir = EmbeddedKafkaExtension.testDataDir().resolve("serving-" + run);
        this.registry = RegistryService.start(RegistryConfig.defaults(kafka.bootstrapServers(), dir)
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(RegistrySettings.TRANSACTIONAL_ID, "writer-" + run)
                .with(RegistrySettings.PORT, 0)
                .with(RegistrySettings.TOKENS, List.of("test:admin:" + TOKEN)).withDeltaSignatures(registrySignatures),
                encoder, vertx);
        this.client = new RegistryClient(registry.url(), TOKEN, Duration.ofSeconds(30));
    }

    ServingConfig config() {
        return ServingConfig.defaults(kafka.bootstrapServers(), registry.url())
                .with(ServingSettings.EXPORT_DIR, EmbeddedKafkaExtension.testDataDir().resolve("serving-cache") .resolve("serving"))
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(ServingSettings.GROUP_ID, "serving-" + topics.prefix())
                .with(ServingSettings.PORT, 0);
    }

    ServingService startServing() throws InterruptedException {
        serving = ServingService.start(config(), encoder, vertx);
        return serving;
    }

    ServingService startServing(ArtifactSource artifacts) throws InterruptedException {
        serving = ServingService.start(config(), encoder, artifacts, vertx);
        return serving;
    }

    /**
     * Uploads a head-only delta whose weights depend on the seed, saying it scores as well as the
     * production version on the same examples (so auto promotion moves production to it); returns its version.
     */
    int upload(String domain, long seed) {
        return upload(domain, Delta.initialize(new HeadConfig(), encoder.architecture(), LABELS, seed));
    }

    /** Uploads {@code delta} as {@link #upload(String, long)} does; returns its version. */
    int upload(String domain, Delta delta) {
        byte[] archive = DeltaArtifact.pack(delta, encoder.fingerprint(), Optional.empty()).bytes();
        ObjectNode metadata = RegistryClient.object();
        metadata.putObject("metrics").put("holdout_accuracy", 0.5);
        client.domain(domain).map(info -> info.path("aliases").path("production")).filter(JsonNode::isInt)
                .ifPresent(production -> metadata.putObject("comparison").put("version", production.asInt())
                        .put("examples", 100).put("labelsCovered", delta.labels().size())
                        .putObject("metrics").put("holdout_accuracy", 0.5));
        return client.upload(domain, archive, metadata).get("version").asInt();
    }

    void manualPromotion(String domain) {
        configure(domain, "head", "manual");
    }

    void configure(String domain, String kind, String promotion) {
        ObjectNode config = RegistryClient.object().put("kind", kind);
        config.putObject("promotion").put("policy", promotion);
        client.configure(domain, config);
    }

    /** Waits until serving answers the domain's status with {@code version} active. */
    void awaitActive(ServingService service, String domain, int version) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/v1/domains/"
                    + domain)).build(), HttpResponse.BodyHandlers.ofString());
            return status.statusCode() == 200
                    && Integer.valueOf(version).equals(new JsonObject(status.body()).getInteger("activeVersion"));
        });
    }

    @Override
    public void close() throws Exception {
        if (serving != null) {
            serving.close();
        }
        registry.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
