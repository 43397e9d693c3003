package io.continua.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DeadLetters;
import io.continua.schemas.kafka.DeltaLog;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.settings.SharedSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class RegistryServiceIT {
    private static final long MAX_BYTES = 2L * 1024 * 1024;

    private Vertx vertx;
    private RegistryFixture fixture;
    private RegistryService registry;
    private RegistryClient admin;
    private RegistryClient writer;
    private RegistryClient reader;

    @BeforeEach
    void start(EmbeddedKafka kafka) throws Exception {
        vertx = Vertx.vertx();
        fixture = new RegistryFixture(kafka, MAX_BYTES);
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        connect();
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aStartThatFailsReleasesEverythingItAcquired() throws Exception {
        registry.close();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // The port is checked last, after the followers, the writer and the pools have started.
            RegistryConfig clash = fixture.config.with(SharedSettings.HOST, "127.0.0.1")
                    .with(RegistrySettings.PORT, taken.getLocalPort());
            assertThatThrownBy(() -> RegistryService.start(clash, fixture.encoder, vertx))
                    .hasMessageContaining("Cannot listen");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(thread -> thread.isAlive() && !before.contains(thread)
                        && !thread.getName().startsWith("vert.x-") && !thread.getName().startsWith("awaitility"))
                .as("threads the failed start left behind").extracting(Thread::getName).isEmpty());
    }

    @Test
    void everyEndpointsSuccessPath() throws Exception {
        admin.configure("banking", RegistryClient.object().put("kind", "lora")
                .set("promotion", RegistryClient.object().put("policy", "auto").put("margin", 0.01)));
        byte[] first = fixture.artifact(1);
        JsonNode v1 = writer.upload("banking", first, RegistryFixture.metadata(null, 0.80));
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("promoted").asBoolean()).as("the first version is promoted").isTrue();
        assertThat(v1.get("sha256").asText()).isEqualTo(DeltaArtifact.sha256(first));

        JsonNode v2 = writer.upload("banking", fixture.artifact(2),
                fixture.withLineage(RegistryFixture.metadata(1, 0.795, 1, 0.80, 60, 3), 0, 0, 128));
        assertThat(v2.get("promoted").asBoolean()).as("within the margin").isTrue();
        JsonNode v3 = writer.upload("banking", fixture.artifact(3), RegistryFixture.metadata(2, 0.70, 2, 0.79, 60, 3));
        assertThat(v3.get("promoted").asBoolean()).as("worse than the margin allows").isFalse();
        assertThat(v3.get("promotionReason").asText()).contains("0.7000").contains("0.7900");

        assertThat(reader.domains().get("domains").get(0).get("domain").asText()).isEqualTo("banking");
        JsonNode domain = reader.domain("banking").orElseThrow();
        assertThat(domain.get("configured").asBoolean()).isTrue();
        assertThat(domain.get("config").get("promotion").get("margin").asDouble()).isEqualTo(0.01);
        assertThat(domain.get("latestVersion").asInt()).isEqualTo(3);
        assertThat(domain.get("aliases").get("production").asInt()).isEqualTo(2);

        JsonNode page = reader.versions("banking", 0, 2);
        assertThat(page.get("versions")).hasSize(2);
        assertThat(page.get("next").asInt()).isEqualTo(2);
        assertThat(reader.versions("banking", 2, 2).get("versions").get(0).get("version").asInt()).isEqualTo(3);
        assertThat(reader.versions("banking", 2, 2).get("next").isNull()).isTrue();
        assertThat(reader.allVersions("banking")).extracting(version -> version.get("version").asInt())
                .containsExactly(1, 2, 3);

        JsonNode version2 = reader.version("banking", 2).orElseThrow();
        assertThat(version2.get("parentVersion").asInt()).isEqualTo(1);
        assertThat(version2.get("trainedOn").get(0).get("untilOffset").asLong()).isEqualTo(128);
        assertThat(version2.get("metrics").get("holdout_accuracy").asDouble()).isEqualTo(0.795);
        assertThat(version2.get("labels")).hasSize(3);
        assertThat(version2.get("hyperparameters").get("r").asText()).isEqualTo("8");
        assertThat(version2.get("createdBy").asText()).isEqualTo("trainer");
        assertThat(version2.get("aliases").get(0).asText()).isEqualTo("production");
        assertThat(version2.get("comparison").get("version").asInt()).isEqualTo(1);
        assertThat(version2.get("comparison").get("examples").asInt()).isEqualTo(60);
        assertThat(version2.get("comparison").get("metrics").get("holdout_accuracy").asDouble()).isEqualTo(0.80);

        assertThat(reader.artifact("banking", 1)).isEqualTo(first);
        HttpResponse<byte[]> conditional = raw(HttpRequest.newBuilder(URI.create(registry.url()
                + "/v1/domains/banking/versions/1/artifact")).header("If-None-Match", "\"" + v1.get("sha256").asText()
                + "\"").GET().build());
        assertThat(conditional.statusCode()).isEqualTo(304);

        writer.moveAlias("banking", "production", 3, "operator override");
        admin.moveAlias("banking", "production", 2, "roll back: v3 misbehaves");
        writer.moveAlias("banking", "staging", 3, "try v3");
        JsonNode history = reader.aliasHistory("banking", "production");
        assertThat(history.get("history")).hasSize(4);
        JsonNode rollback = history.get("history").get(3);
        assertThat(rollback.get("version").asInt()).isEqualTo(2);
        assertThat(rollback.get("previousVersion").asInt()).isEqualTo(3);
        assertThat(rollback.get("actor").asText()).isEqualTo("ops");
        assertThat(rollback.get("reason").asText()).isEqualTo("roll back: v3 misbehaves");
        assertThat(history.get("history").get(0).get("actor").asText()).isEqualTo("policy:auto");
        assertThat(reader.aliases("banking").get("aliases").get("staging").get("version").asInt()).isEqualTo(3);

        String deletedSha = reader.version("banking", 1).orElseThrow().get("sha256").asText();
        JsonNode deleted = admin.deleteVersion("banking", 1);
        assertThat(deleted.get("deleted").asBoolean()).isTrue();
        assertThat(refusal(() -> reader.artifact("banking", 1)).status()).isEqualTo(410);
        assertThat(reader.versions("banking", 0, 10).get("versions")).hasSize(3);
        // Its bytes are tombstoned in the artifact topic, in the same transaction; the others stay.
        assertThat(registry.artifacts().contains(deletedSha)).isFalse();
        assertThat(registry.artifacts().contains(reader.version("banking", 2).orElseThrow().get("sha256").asText()))
                .isTrue();
        assertThat(registry.isReady()).isTrue();
    }

    /**
     * The case that froze production: version 1 scored 1.0 on a few easy holdout examples; later
     * versions score lower on larger holdouts covering more labels. Production must follow the
     * evidence measured on the same examples, and only that evidence.
     */
    @Test
    void autoPromotionComparesOnlyScoresMeasuredOnTheSameExamples() throws Exception {
        JsonNode v1 = writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 1.0));
        assertThat(v1.get("promoted").asBoolean()).isTrue();

        JsonNode noEvidence = writer.upload("banking", fixture.artifact(2), RegistryFixture.metadata(1, 0.99));
        assertThat(noEvidence.get("promoted").asBoolean()).as("no paired evidence").isFalse();
        assertThat(noEvidence.get("promotionReason").asText()).contains("no paired evidence");

        JsonNode better = writer.upload("banking", fixture.artifact(3),
                RegistryFixture.metadata(1, 0.85, 1, 0.41, 485, 3));
        assertThat(better.get("promoted").asBoolean()).as("0.85 against version 1's 0.41 on the same examples, "
                + "although version 1 once reported 1.0 on its own holdout").isTrue();

        JsonNode stale = writer.upload("banking", fixture.artifact(4), RegistryFixture.metadata(3, 0.95, 1, 0.41, 485, 3));
        assertThat(stale.get("promoted").asBoolean()).as("compared with a version no longer in production").isFalse();
        JsonNode tooFew = writer.upload("banking", fixture.artifact(5), RegistryFixture.metadata(3, 0.95, 3, 0.85, 12, 3));
        assertThat(tooFew.get("promoted").asBoolean()).as("12 examples are below the default minimum of 30").isFalse();
        JsonNode narrow = writer.upload("banking", fixture.artifact(6), RegistryFixture.metadata(3, 0.95, 3, 0.85, 200, 1));
        assertThat(narrow.get("promoted").asBoolean()).as("one label of three covered").isFalse();
        JsonNode next = writer.upload("banking", fixture.artifact(7), RegistryFixture.metadata(3, 0.86, 3, 0.85, 200, 2));
        assertThat(next.get("promoted").asBoolean()).isTrue();
        assertThat(reader.aliases("banking").get("aliases").get("production").get("version").asInt()).isEqualTo(7);
        assertThat(reader.aliasHistory("banking", "production").get("history").get(1).get("reason").asText())
                .contains("on the same 485 examples");

        expect(422, "unknown_comparison", () -> writer.upload("banking", fixture.artifact(8),
                RegistryFixture.metadata(7, 0.9, 77, 0.5, 100, 3)));
        expect(422, "invalid_config", () -> admin.configure("banking", RegistryClient.object().put("kind", "lora")
                .set("promotion", RegistryClient.object().put("metric", "holdout_acuracy"))));
        admin.configure("banking", RegistryClient.object().put("kind", "lora").set("promotion", RegistryClient.object()
                .put("metric", "holdout_loss").put("minExamples", 10).put("minLabelCoverage", 0.2)));
        ObjectNode lowerLoss = RegistryFixture.metadata(7, 0.5, 7, 0.5, 10, 1);
        lowerLoss.withObjectProperty("metrics").put("holdout_loss", 0.30);
        lowerLoss.withObjectProperty("comparison").withObjectProperty("metrics").put("holdout_loss", 0.35);
        JsonNode v8 = writer.upload("banking", fixture.artifact(9), lowerLoss);
        assertThat(v8.get("promoted").asBoolean()).as("a loss improves downwards").isTrue();
        int eight = v8.get("version").asInt();
        ObjectNode higherLoss = RegistryFixture.metadata(eight, 0.9, eight, 0.5, 10, 1);
        higherLoss.withObjectProperty("metrics").put("holdout_loss", 0.40);
        higherLoss.withObjectProperty("comparison").withObjectProperty("metrics").put("holdout_loss", 0.30);
        assertThat(writer.upload("banking", fixture.artifact(10), higherLoss).get("promoted").asBoolean()).isFalse();
    }

    /**
     * Lineage is held to what the accepted topic holds, and no uploader claims an offset twice; a
     * hand upload (another token) neither collides with the trainer's lineage nor is taken as its own.
     */
    @Test
    void lineageIsHeldToTheAcceptedTopicAndNeverClaimedTwiceByOneUploader() throws Exception {
        expect(422, "invalid_lineage", () -> writer.upload("banking", fixture.artifact(1),
                fixture.withLineage(RegistryFixture.metadata(null, 0.8), 0, 0, 999_999_999)));
        expect(422, "invalid_lineage", () -> writer.upload("banking", fixture.artifact(1),
                fixture.withLineage(RegistryFixture.metadata(null, 0.8), 7, 0, 10)));
        ObjectNode otherTopic = RegistryFixture.metadata(null, 0.8);
        otherTopic.putArray("trainedOn").addObject().put("topic", "elsewhere").put("partition", 0)
                .put("fromOffset", 0).put("untilOffset", 10);
        expect(422, "invalid_lineage", () -> writer.upload("banking", fixture.artifact(1), otherTopic));

        writer.upload("banking", fixture.artifact(1), fixture.withLineage(RegistryFixture.metadata(null, 0.8), 0, 0, 128));
        expect(422, "lineage_overlap", () -> writer.upload("banking", fixture.artifact(2),
                fixture.withLineage(RegistryFixture.metadata(1, 0.8), 0, 100, 200)));
        writer.upload("banking", fixture.artifact(3), fixture.withLineage(RegistryFixture.metadata(1, 0.8), 0, 128, 256));
        writer.upload("banking", fixture.artifact(4), fixture.withLineage(RegistryFixture.metadata(2, 0.8), 1, 0, 128));
        JsonNode byHand = admin.upload("banking", fixture.artifact(5),
                fixture.withLineage(RegistryFixture.metadata(null, 0.8), 0, 0, 300));
        assertThat(reader.version("banking", byHand.get("version").asInt()).orElseThrow().get("createdBy").asText())
                .isEqualTo("ops");
        assertThat(writer.whoami().get("name").asText()).isEqualTo("trainer");
        assertThat(admin.whoami().get("role").asText()).isEqualTo("admin");
        expect(401, "unauthorized", () -> RegistryFixture.client(registry, null).whoami());
    }

    @Test
    void theOpenApiDocumentDescribesEveryRoute() throws Exception {
        JsonObject document = new JsonObject(new String(raw(HttpRequest.newBuilder(URI.create(registry.url()
                + "/openapi.json")).GET().build()).body()));
        JsonObject paths = document.getJsonObject("paths");
        List<Route> routes = io.continua.registry.http.RegistryApi.router(vertx, registry).getRoutes();
        List<String> undocumented = new ArrayList<>();
        for (Route route : routes) {
            String path = route.getPath();
            if (path == null || !path.startsWith("/v1") || route.methods() == null) {
                continue;
            }
            String openApiPath = path.replaceAll(":([a-zA-Z]+)", "{$1}");
            for (var method : route.methods()) {
                JsonObject documented = paths.getJsonObject(openApiPath);
                if (documented == null || !documented.containsKey(method.name().toLowerCase())) {
                    undocumented.add(method + " " + openApiPath);
                }
            }
        }
        assertThat(undocumented).isEmpty();
        assertThat(paths.fieldNames()).hasSize(10);
    }

    @Test
    void everyRefusalHasItsCodeAndLeavesNothingBehind() throws Exception {
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        Snapshot before = snapshot();

        expect(400, "invalid_domain", () -> writer.upload("Bad!Domain", fixture.artifact(5), RegistryFixture.metadata(null, 0.8)));
        expect(400, "bad_metadata", () -> rawUploadStatus("banking", "{not json", fixture.artifact(5)));
        expect(401, "unauthorized", () -> RegistryFixture.client(registry, null).upload("banking", fixture.artifact(5),
                RegistryFixture.metadata(null, 0.8)));
        expect(401, "unauthorized", () -> RegistryFixture.client(registry, "wrong-token-123").upload("banking",
                fixture.artifact(5), RegistryFixture.metadata(null, 0.8)));
        expect(403, "forbidden", () -> reader.upload("banking", fixture.artifact(5), RegistryFixture.metadata(null, 0.8)));
        expect(403, "forbidden", () -> writer.deleteVersion("banking", 1));
        expect(403, "forbidden", () -> writer.configure("banking", RegistryClient.object().put("kind", "head")));
        expect(404, "unknown_domain", () -> reader.versions("travel", 0, 10));
        expect(404, "unknown_version", () -> reader.version("banking", 9).orElseThrow(
                () -> new ServiceException(ServiceException.Kind.ofStatus(404), "unknown_version", "absent")));
        expect(404, "unknown_version", () -> writer.moveAlias("banking", "production", 9, "no such"));
        expect(409, "version_in_use", () -> admin.deleteVersion("banking", 1));
        byte[] tooLarge = new byte[(int) MAX_BYTES + 200_000];
        new Random(1).nextBytes(tooLarge);
        expect(413, "too_large", () -> writer.upload("banking", tooLarge, RegistryFixture.metadata(null, 0.8)));
        byte[] truncated = Arrays.copyOf(fixture.artifact(6), 1000);
        expect(422, "invalid_artifact", () -> writer.upload("banking", truncated, RegistryFixture.metadata(null, 0.8)));
        expect(422, "invalid_artifact", () -> writer.upload("banking", fixture.artifact(7, "other-model@sha256:00"),
                RegistryFixture.metadata(null, 0.8)));
        expect(422, "checksum_mismatch", () -> writer.upload("banking", fixture.artifact(8),
                RegistryFixture.metadata(null, 0.8).put("sha256", "0".repeat(64))));
        expect(422, "unknown_parent", () -> writer.upload("banking", fixture.artifact(9),
                RegistryFixture.metadata(41, 0.8)));
        expect(422, "invalid_config", () -> admin.configure("banking", RegistryClient.object().put("kind", "prefix")));
        expect(422, "invalid_sources", () -> writer.upload("fused", fixture.fusionArtifact(1, "banking@1", "travel@1"),
                RegistryFixture.metadata(null, 0.8)));
        expect(422, "invalid_sources", () -> writer.upload("fused", fixture.fusionArtifact(1, "travel@3", "hotels@1"),
                RegistryFixture.metadata(null, 0.8)));
        for (String[] bad : new String[][] {{"learning_rate", "NaN"}, {"learning_rate", "2"}, {"batch_size", "0"},
            {"r", "abc"}, {"alpha", "Infinity"}, {"learnin_rate", "0.001"}, {"seed", "1.5"}}) {
            ServiceException refused = refusal(() -> admin.configure("banking", RegistryClient.object()
                    .put("kind", "lora").set("hyperparameters", RegistryClient.object().put(bad[0], bad[1]))));
            assertThat(refused.status()).as(refused.getMessage()).isEqualTo(422);
            assertThat(refused.getMessage()).as("names the setting").contains(bad[0]);
        }
        expect(400, "invalid_config", () -> admin.configure("banking", RegistryClient.object().put("kind", 5)));
        expect(400, "invalid_config", () -> admin.configure("banking", RegistryClient.object().put("promotion", "auto")));
        expect(400, "invalid_config", () -> admin.configure("banking", RegistryClient.object()
                .set("promotion", RegistryClient.object().put("margin", "high"))));
        expect(400, "invalid_config", () -> admin.configure("banking", RegistryClient.object()
                .set("hyperparameters", RegistryClient.object().set("r", RegistryClient.object()))));
        expect(400, "invalid_move", () -> rawJson("PUT", "/v1/domains/banking/aliases/production",
                "application/json", "{\"version\": 1.99}"));
        expect(400, "invalid_move", () -> rawJson("PUT", "/v1/domains/banking/aliases/production",
                "application/json", "{\"version\": 4294967297}"));
        expect(415, "unsupported_media_type", () -> rawJson("PUT", "/v1/domains/banking/aliases/production",
                "text/plain", "{\"version\": 1}"));
        expect(400, "bad_metadata", () -> writer.upload("banking", fixture.artifact(10),
                RegistryFixture.metadata(null, 0.8).put("parentVersion", 1.5)));
        expect(400, "bad_metadata", () -> rawUploadStatus("banking", "{\"trainedOn\": [{\"topic\": \"t\", "
                + "\"partition\": \"0\", \"fromOffset\": 0, \"untilOffset\": 5}]}", fixture.artifact(11)));

        for (String[] bad : new String[][] {{"candidates", "adapter_fusion"}, {"ranks", "four"}, {"tolerance", "1"},
            {"r", "8"}}) {
            ServiceException refused = refusal(() -> admin.configure("banking", RegistryClient.object()
                    .put("kind", "auto").set("hyperparameters", RegistryClient.object().put(bad[0], bad[1]))));
            assertThat(refused.status()).as(refused.getMessage()).isEqualTo(422);
            assertThat(refused.getMessage()).as("names the setting").contains(bad[0]);
        }

        assertThat(snapshot()).isEqualTo(before);
    }

    /**
     * A fusion upload records the versions of its sources: it must carry exactly those versions' adapters, and the
     * domain's configured sources; the recorded sources are the archive's, whatever the metadata claims.
     */
    @Test
    void aFusionUploadCarriesExactlyItsPinnedSourcesAdapters() throws Exception {
        writer.upload("src-a", fixture.adapterArtifact(3), RegistryFixture.metadata(null, 0.8));
        writer.upload("src-b", fixture.adapterArtifact(3), RegistryFixture.metadata(null, 0.8));
        ObjectNode fusion = RegistryClient.object().put("kind", "adapter_fusion");
        fusion.putObject("hyperparameters").put("sources", "src-a,src-b").put("r", "4");
        admin.configure("fused", fusion);

        expect(422, "invalid_sources", () -> writer.upload("fused", fixture.fusionArtifact(4, "src-a@1", "src-b@1"),
                RegistryFixture.metadata(null, 0.8)));
        expect(422, "kind_mismatch", () -> writer.upload("fused", fixture.fusionArtifact(3, "src-b@1", "src-a@1"),
                RegistryFixture.metadata(null, 0.8)));
        ObjectNode claiming = RegistryFixture.metadata(null, 0.8);
        claiming.putObject("hyperparameters").put("sources", "elsewhere@9");
        JsonNode version = writer.upload("fused", fixture.fusionArtifact(3, "src-a@1", "src-b@1"), claiming);
        assertThat(reader.version("fused", version.path("version").asInt()).orElseThrow()
                .path("hyperparameters").path("sources").asText()).isEqualTo("src-a@1,src-b@1");
    }

    /** A domain configured for kind auto takes the kinds its search may choose, and only those. */
    @Test
    void aKindSearchDomainTakesItsCandidatesKinds() throws Exception {
        ObjectNode auto = RegistryClient.object().put("kind", "auto");
        auto.putObject("hyperparameters").put("candidates", "head,adapter");
        admin.configure("searching", auto);
        expect(422, "kind_mismatch", () -> writer.upload("searching", fixture.artifact(1),
                RegistryFixture.metadata(null, 0.8)));
        auto.putObject("hyperparameters").put("candidates", "head,lora").put("ranks", "8");
        admin.configure("searching", auto);
        assertThat(writer.upload("searching", fixture.artifact(1), RegistryFixture.metadata(null, 0.8))
                .path("version").asInt()).isEqualTo(1);
    }

    /** A 60 MB upload without a token is refused from its headers: the body is never read, nothing reaches disk. */
    @Test
    void anUploadWithoutATokenIsRefusedBeforeItsBodyIsRead() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", registry.httpPort())) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/domains/banking/versions HTTP/1.1\r\nHost: test\r\n"
                    + "Content-Type: multipart/form-data; boundary=b0\r\nContent-Length: 60000000\r\n\r\n"
                    + "--b0\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"a.zip\"\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            assertThat(status).as("answered while 59.9 MB are still to come").contains(" 401 ");
        }
        Path uploads = fixture.config.dir().resolve("uploads");
        try (Stream<Path> files = Files.exists(uploads) ? Files.walk(uploads) : Stream.empty()) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    /** A registry whose artifact topic lost an archive it lists says it is not ready, and is again once it is back. */
    @Test
    void readinessTellsWhenListedArchivesCannotBeRead() throws Exception {
        byte[] archive = fixture.artifact(1);
        JsonNode uploaded = writer.upload("banking", archive, RegistryFixture.metadata(null, 0.8));
        HttpRequest ready = HttpRequest.newBuilder(URI.create(registry.url() + "/ready")).build();
        assertThat(raw(ready).statusCode()).isEqualTo(200);
        fixture.writeChunks(uploaded.get("sha256").asText(), archive, true);
        await().atMost(Duration.ofSeconds(20)).until(() -> raw(ready).statusCode() == 503);
        assertThat(new String(raw(HttpRequest.newBuilder(URI.create(registry.url() + "/metrics")).build()).body()))
                .contains("continua_registry_missing_artifacts 1.0");
        fixture.writeChunks(uploaded.get("sha256").asText(), archive, false);
        await().atMost(Duration.ofSeconds(20)).until(() -> raw(ready).statusCode() == 200);
    }

    /** The registry's disk is a cache: a new instance on an empty directory, and a replica, serve every artifact. */
    @Test
    void artifactsLiveInKafkaNotOnTheRegistrysDisk() throws Exception {
        Map<Integer, byte[]> archives = new TreeMap<>();
        for (int seed = 1; seed <= 3; seed++) {
            archives.put(writer.upload("banking", fixture.artifact(seed), RegistryFixture.metadata(null, 0.8))
                    .get("version").asInt(), fixture.artifact(seed));
        }
        registry.close();
        deleteRecursively(fixture.config.dir());
        try (RegistryService successor = RegistryService.start(fixture.config, fixture.encoder, vertx);
             RegistryService replica = RegistryService.start(fixture.config
                     .with(RegistrySettings.READ_ONLY, true)
                     .with(RegistrySettings.DIR, fixture.dir.resolve("replica"))
                     .with(RegistrySettings.PORT, 0), fixture.encoder, vertx)) {
            for (RegistryService instance : List.of(successor, replica)) {
                RegistryClient client = RegistryFixture.client(instance, RegistryFixture.READER);
                archives.forEach((version, archive) -> assertThat(client.artifact("banking", version))
                        .as("version %d from %s", version, instance.url()).isEqualTo(archive));
                assertThat(instance.isReady()).isTrue();
            }
        } finally {
            registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
            connect();
        }
    }

    /** A registry upgraded from one that kept archives on its disk only publishes them to the topic at start. */
    @Test
    void archivesOnlyOnTheOldLocalDirectoryAreAdoptedAtStart() throws Exception {
        byte[] archive = fixture.artifact(1);
        String sha = writer.upload("banking", archive, RegistryFixture.metadata(null, 0.8)).get("sha256").asText();
        registry.close();
        fixture.writeChunks(sha, archive, true);
        Path legacy = fixture.config.dir().resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha);
        Files.createDirectories(legacy.getParent());
        Files.write(legacy, archive);
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        connect();
        assertThat(reader.artifact("banking", 1)).isEqualTo(archive);
        assertThat(registry.isReady()).isTrue();
    }

    @Test
    void restartBringsBackDomainsVersionsAliasesAndHistory() throws Exception {
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        writer.upload("banking", fixture.artifact(2), RegistryFixture.metadata(1, 0.85));
        writer.upload("travel", fixture.artifact(3), RegistryFixture.metadata(null, 0.7));
        writer.moveAlias("banking", "production", 1, "roll back");
        admin.deleteVersion("banking", 2);
        JsonNode domainsBefore = reader.domains();
        JsonNode historyBefore = reader.aliasHistory("banking", "production");

        registry.close();
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        connect();

        assertThat(reader.domains()).isEqualTo(domainsBefore);
        assertThat(reader.aliasHistory("banking", "production")).isEqualTo(historyBefore);
        assertThat(reader.version("banking", 2).orElseThrow().get("deleted").asBoolean()).isTrue();
        assertThat(writer.upload("banking", fixture.artifact(4), RegistryFixture.metadata(1, 0.9)).get("version")
                .asInt()).as("version numbers are never reused").isEqualTo(3);
    }

    @Test
    void liveAccuracyComesFromTheMetricsTopicWindowByWindowWithItsInterval() throws Exception {
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        Instant start = Instant.parse("2026-11-27T07:00:00Z");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            String topic = fixture.topics.metrics();
            producer.send(new ProducerRecord<>(topic, "banking", metricsWindow(1, 3, 5, start))).get();
            // An open window's later count replaces the earlier one; another window adds to it.
            producer.send(new ProducerRecord<>(topic, "banking", metricsWindow(1, 8, 10, start))).get();
            producer.send(new ProducerRecord<>(topic, "banking", new byte[] {1, 2, 3})).get();
            producer.send(new ProducerRecord<>(topic, "banking", metricsWindow(1, 9, 10, start.plusSeconds(60))))
                    .get();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> reader.live("banking").path("versions").path("1")
                .path("count").asInt() == 20);
        JsonNode live = reader.live("banking");
        assertThat(live.path("confidence").asDouble()).isEqualTo(0.95);
        JsonNode one = live.path("versions").path("1");
        assertThat(one.path("correct").asInt()).isEqualTo(17);
        assertThat(one.path("accuracy").asDouble()).isEqualTo(0.85);
        // Wilson's interval of 17 in 20 at 95 %.
        assertThat(one.path("low").asDouble()).isCloseTo(0.6396, offset(1e-3));
        assertThat(one.path("high").asDouble()).isCloseTo(0.9476, offset(1e-3));
        assertThat(reader.version("banking", 1).orElseThrow().path("live").path("count").asInt()).isEqualTo(20);
        assertThat(registry.metrics().scrape()).contains("continua_live_accuracy{domain=\"banking\",version=\"1\"} 0.85")
                .contains("continua_live_labels{domain=\"banking\",version=\"1\"} 20.0")
                .containsPattern("continua_live_accuracy_low\\{domain=\"banking\",version=\"1\"} 0\\.639")
                .containsPattern("continua_live_accuracy_high\\{domain=\"banking\",version=\"1\"} 0\\.947");
    }

    private static byte[] metricsWindow(int version, long correct, long count, Instant start) {
        return RecordSerdes.domainMetrics().serialize("metrics", DomainMetrics.newBuilder().setDomain("banking")
                .setVersion(version).setCorrect(correct).setCount(count).setAccuracy((double) correct / count)
                .setWindowStart(start).setWindowEnd(start.plusSeconds(60)).build());
    }

    @Test
    void twentyConcurrentUploadsGetTwentyDistinctConsecutiveVersions() throws Exception {
        List<byte[]> artifacts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            artifacts.add(fixture.artifact(100 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> uploads = artifacts.stream().<Callable<Integer>>map(bytes -> () ->
                    writer.upload("banking", bytes, RegistryFixture.metadata(null, 0.8)).get("version").asInt()).toList();
            List<Integer> versions = new ArrayList<>();
            for (Future<Integer> result : pool.invokeAll(uploads)) {
                versions.add(result.get());
            }
            assertThat(versions).doesNotHaveDuplicates();
            assertThat(versions.stream().sorted().toList()).isEqualTo(
                    java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
        for (int version = 1; version <= 20; version++) {
            byte[] stored = reader.artifact("banking", version);
            assertThat(reader.version("banking", version).orElseThrow().get("sha256").asText())
                    .isEqualTo(DeltaArtifact.sha256(stored));
        }
    }

    @Test
    void everyAnsweredChangeIsVisibleAtOnceAndNeverOvertakenByAnOlderOne() throws Exception {
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        writer.upload("banking", fixture.artifact(2), RegistryFixture.metadata(1, 0.8));
        int movesBefore = reader.aliasHistory("banking", "production").get("history").size();
        for (int move = 0; move < 30; move++) {
            int target = move % 2 + 1;
            writer.moveAlias("banking", "production", target, "move " + move);
            // One reader applies the log: what was answered is applied, and nothing older is applied after it.
            for (int read = 0; read < 3; read++) {
                assertThat(reader.aliases("banking").get("aliases").get("production").get("version").asInt())
                        .as("after move %d, read %d", move, read).isEqualTo(target);
            }
        }
        assertThat(reader.aliasHistory("banking", "production").get("history").size()).isEqualTo(movesBefore + 30);
    }

    @Test
    void aRepeatedUploadAnswersWithTheVersionItRegisteredAndWritesNothing() throws Exception {
        byte[] archive = fixture.artifact(1);
        JsonNode first = writer.upload("banking", archive, fixture.withLineage(RegistryFixture.metadata(null, 0.8), 0,
                0, 100));
        Snapshot before = snapshot();
        JsonNode again = writer.upload("banking", archive, fixture.withLineage(RegistryFixture.metadata(null, 0.8), 0,
                0, 100));
        assertThat(again.get("version").asInt()).isEqualTo(first.get("version").asInt());
        assertThat(again.get("repeated").asBoolean()).isTrue();
        assertThat(first.get("repeated").asBoolean()).isFalse();
        assertThat(snapshot()).as("nothing written by the repeat").isEqualTo(before);
        // Another archive on the same examples is not a repeat: it is refused as an overlap.
        assertThat(refusal(() -> writer.upload("banking", fixture.artifact(2), fixture.withLineage(
                RegistryFixture.metadata(null, 0.8), 0, 0, 100))).error()).isEqualTo("lineage_overlap");
    }

    @Test
    void recordsTheRegistryCannotReadAreDeadLetteredAndItKeepsApplyingTheLog() throws Exception {
        String deltas = fixture.topics.deltas();
        byte[] production = RecordSerdes.aliasPointer().serialize(deltas, AliasPointer.newBuilder().setDomain("banking")
                .setAlias("production").setVersion(7).setReason("forged").setActor("x").setMovedAt(Instant.now())
                .build());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(deltas, "banking@production#not-a-number", production)).get();
            producer.send(new ProducerRecord<>(deltas, "banking@staging", production)).get();
            producer.send(new ProducerRecord<>(deltas, "banking/7", new byte[] {1, 2, 3})).get();
        }
        // The records after them are applied: the follower did not stop, and the registry is ready.
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        assertThat(reader.aliases("banking").get("aliases").has("staging")).isFalse();
        assertThat(reader.version("banking", 7)).isEmpty();
        assertThat(registry.isReady()).isTrue();

        List<RejectedRecord> dead = new ArrayList<>();
        try (KafkaConsumer<String, RejectedRecord> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dead-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                RecordSerdes.rejectedRecord())) {
            consumer.subscribe(List.of(fixture.topics.examplesRejected()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dead.size() < 3 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> dead.add(record.value()));
            }
        }
        assertThat(dead).extracting(RejectedRecord::getReason)
                .containsExactlyInAnyOrder(DeltaLog.BAD_KEY, DeltaLog.KEY_MISMATCH, DeadLetters.UNDECODABLE);
        assertThat(dead).allSatisfy(record -> {
            assertThat(record.getRejectedBy()).isEqualTo("registry");
            assertThat(record.getSourceTopic()).isEqualTo(deltas);
        });
    }

    @Test
    void aSecondInstanceServesReadsSeesTheWritersChangesAndRefusesWrites() throws Exception {
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        try (RegistryService second = RegistryService.start(fixture.config
                .with(RegistrySettings.READ_ONLY, true)
                .with(RegistrySettings.DIR, fixture.dir.resolve("replica")),
                fixture.encoder, vertx)) {
            RegistryClient replica = RegistryFixture.client(second, RegistryFixture.WRITER);
            assertThat(replica.version("banking", 1)).isPresent();
            ServiceException refused = refusal(() -> replica.upload("banking", fixture.artifact(2),
                    RegistryFixture.metadata(null, 0.8)));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.error()).isEqualTo("read_only");

            writer.upload("banking", fixture.artifact(3), RegistryFixture.metadata(1, 0.9));
            writer.moveAlias("banking", "production", 1, "pin v1");
            await().atMost(Duration.ofSeconds(20)).until(() -> replica.version("banking", 2).isPresent()
                    && replica.aliases("banking").get("aliases").get("production").get("version").asInt() == 1);
        }
    }

    @Test
    void aNewWriterFencesTheOldOneWhichThenRefusesWrites() throws Exception {
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.8));
        try (RegistryService successor = RegistryService.start(fixture.config, fixture.encoder,
                vertx)) {
            RegistryClient next = RegistryFixture.client(successor, RegistryFixture.WRITER);
            assertThat(next.upload("banking", fixture.artifact(2), RegistryFixture.metadata(1, 0.8)).get("version")
                    .asInt()).isEqualTo(2);
            ServiceException fenced = refusal(() -> writer.upload("banking", fixture.artifact(3),
                    RegistryFixture.metadata(1, 0.8)));
            assertThat(fenced.error()).isEqualTo("read_only");
            assertThat(registry.canWrite()).isFalse();
        }
    }

    private void connect() {
        admin = RegistryFixture.client(registry, RegistryFixture.ADMIN);
        writer = RegistryFixture.client(registry, RegistryFixture.WRITER);
        reader = RegistryFixture.client(registry, RegistryFixture.READER);
    }

    /** The versions of every domain, and the ends of the log and of the artifact topic: what a refusal must not change. */
    private record Snapshot(String domains, long logEnd, long artifactsEnd) {
    }

    private Snapshot snapshot() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition log = new TopicPartition(fixture.topics.deltas(), 0);
            TopicPartition artifacts = new TopicPartition(fixture.topics.deltaBlobs(), 0);
            Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(log, artifacts));
            return new Snapshot(reader.domains().toString() + reader.versions("banking", 0, 100), ends.get(log),
                    ends.get(artifacts));
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private void rawUploadStatus(String domain, String metadata, byte[] archive) {
        String boundary = "b0undary";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n" + metadata
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"a.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n";
        byte[] body = concat(head.getBytes(), archive, ("\r\n--" + boundary + "--\r\n").getBytes());
        HttpResponse<byte[]> response = raw(HttpRequest.newBuilder(URI.create(registry.url() + "/v1/domains/" + domain
                        + "/versions")).header("Authorization", "Bearer " + RegistryFixture.WRITER)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        JsonObject error = new JsonObject(new String(response.body()));
        throw new ServiceException(ServiceException.Kind.ofStatus(response.statusCode()), error.getString("error"), error.getString("detail"));
    }

    /** An admin request with exactly this body and content type; refusals come back as {@link ServiceException}. */
    private void rawJson(String method, String path, String contentType, String body) {
        HttpResponse<byte[]> response = raw(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Authorization", "Bearer " + RegistryFixture.ADMIN).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
        JsonObject answer = new JsonObject(new String(response.body()));
        throw new ServiceException(ServiceException.Kind.ofStatus(response.statusCode()), answer.getString("error"), answer.getString("detail"));
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(part -> part.length).sum();
        byte[] all = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }

    private static HttpResponse<byte[]> raw(HttpRequest request) {
        try {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void expect(int status, String error, Runnable call) {
        ServiceException refused = refusal(call);
        assertThat(refused.status()).as(refused.getMessage()).isEqualTo(status);
        assertThat(refused.error()).as(refused.getMessage()).isEqualTo(error);
    }

    private static ServiceException refusal(Runnable call) {
        ServiceException refused = catchThrowableOfType(ServiceException.class, call::run);
        assertThat(refused).as("the call must be refused").isNotNull();
        return refused;
    }
}
