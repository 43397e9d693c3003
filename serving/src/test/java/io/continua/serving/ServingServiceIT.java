package io.continua.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.serde.RecordSerdes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class ServingServiceIT {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ServingStack stack;

    @BeforeEach
    void start(EmbeddedKafka kafka) throws Exception {
        stack = new ServingStack(kafka);
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void answersWithTheProductionDeltaAndNamesItsVersion() throws Exception {
        stack.upload("banking", 1);
        ServingService serving = stack.startServing();
        stack.awaitActive(serving, "banking", 1);

        JsonObject single = ok(post(serving, "banking", new JsonObject().put("text", "Where is my new card?")));
        assertThat(ServingStack.LABELS).contains(single.getString("label"));
        assertThat(single.getInteger("version")).isEqualTo(1);
        assertThat(single.getString("alias")).isEqualTo("production");
        assertThat(single.getJsonArray("scores")).hasSize(4);
        assertThat(single.getDouble("latencyMs")).isPositive();
        assertThat(single.getBoolean("truncated")).isFalse();

        JsonObject batch = ok(post(serving, "banking", new JsonObject().put("texts",
                new JsonArray().add("top up failed").add("refund please").add("x ".repeat(300)))));
        JsonArray predictions = batch.getJsonArray("predictions");
        assertThat(predictions).hasSize(3);
        assertThat(predictions.getJsonObject(2).getBoolean("truncated")).as("beyond 128 tokens").isTrue();

        stack.upload("banking", 2);
        stack.awaitActive(serving, "banking", 2);
        JsonObject pinned = ok(post(serving, "banking", new JsonObject().put("text", "card").put("version", 1)));
        assertThat(pinned.getInteger("version")).isEqualTo(1);
        assertThat(pinned.getValue("alias")).isNull();
        stack.client.moveAlias("banking", "canary", 1, "canary on v1");
        await().atMost(Duration.ofSeconds(20)).until(() -> post(serving, "banking",
                new JsonObject().put("text", "card").put("alias", "canary")).statusCode() == 200);
        JsonObject viaAlias = ok(post(serving, "banking", new JsonObject().put("text", "card").put("alias", "canary")));
        assertThat(viaAlias.getInteger("version")).isEqualTo(1);
        assertThat(viaAlias.getString("alias")).isEqualTo("canary");

        JsonObject status = get(serving, "/v1/domains/banking");
        assertThat(status.getInteger("activeVersion")).isEqualTo(2);
        assertThat(status.getJsonArray("loadedVersions").getList()).contains(1, 2);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(serving.url() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("continua_serving_swaps").contains("continua_serving_latency")
                .contains("continua_serving_batch_size");
    }

    @Test
    void refusesBadInputWithJsonErrors() throws Exception {
        stack.upload("banking", 1);
        stack.manualPromotion("travel");
        stack.upload("travel", 2);
        ServingService serving = stack.startServing();
        stack.awaitActive(serving, "banking", 1);

        expect(post(serving, "unknown", new JsonObject().put("text", "hi")), 404, "unknown_domain");
        expect(post(serving, "travel", new JsonObject().put("text", "hi")), 409, "no_delta");
        expect(post(serving, "banking", new JsonObject().put("text", "   ")), 400, "blank_text");
        expect(post(serving, "banking", new JsonObject()), 400, "missing_text");
        expect(post(serving, "Bad!", new JsonObject().put("text", "hi")), 400, "invalid_domain");
        JsonArray many = new JsonArray();
        for (int i = 0; i < 65; i++) {
            many.add("text " + i);
        }
        expect(post(serving, "banking", new JsonObject().put("texts", many)), 413, "too_many_texts");
        expect(post(serving, "banking", new JsonObject().put("text", "x".repeat(10_001))), 413, "text_too_long");
        expect(post(serving, "banking", new JsonObject().put("text", "hi").put("version", 7)), 404, "unknown_version");
        expect(post(serving, "banking", new JsonObject().put("text", "hi").put("alias", "nope")), 404, "unknown_alias");
        expect(raw(serving, "application/json", "{not json"), 400, "malformed_json");
        expect(raw(serving, "text/plain", "{\"text\": \"hi\"}"), 415, "unsupported_media_type");
        expect(raw(serving, null, "{\"text\": \"hi\"}"), 415, "unsupported_media_type");
        expect(raw(serving, "application/json", "{\"text\": 5}"), 400, "bad_text");
        expect(raw(serving, "application/json", "{\"texts\": [\"a\", 3]}"), 400, "bad_text");
        expect(raw(serving, "application/json", "{\"text\": null}"), 400, "missing_text");
        HttpResponse<String> wrapped = raw(serving, "application/json", "{\"text\": \"hi\", \"version\": 4294967297}");
        expect(wrapped, 400, "bad_pin");
        assertThat(new JsonObject(wrapped.body()).getString("detail")).contains("'version'");
        expect(raw(serving, "application/json", "{\"text\": \"hi\", \"version\": 1.99}"), 400, "bad_pin");
        expect(raw(serving, "application/json", "{\"text\": \"hi\", \"alias\": 7}"), 400, "bad_pin");
    }

    @Test
    void predictsOverKafkaAndDeadLettersWhatItCannotAnswer() throws Exception {
        stack.upload("banking", 1);
        ServingService serving = stack.startServing();
        stack.awaitActive(serving, "banking", 1);
        try (KafkaConsumer<String, Prediction> results = consumer(RecordSerdes.prediction(),
                stack.topics.predictResults());
             KafkaConsumer<String, RejectedRecord> rejected = consumer(RecordSerdes.rejectedRecord(),
                     stack.topics.examplesRejected());
             KafkaProducer<byte[], byte[]> producer = rawProducer()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                results.poll(Duration.ofMillis(100));
                return !results.assignment().isEmpty();
            });
            send(producer, request("r-1", "banking", "my card has not arrived"));
            producer.send(new ProducerRecord<>(stack.topics.predictRequests(), bytes("banking"), new byte[] {7, 7})).get();
            send(producer, request("r-2", "nowhere", "hello"));
            send(producer, request("r-3", "banking", "  "));
            send(producer, request("r-4", "banking", "top up please"));
            send(producer, request("r-5", "banking", "card ".repeat(2_001)));
            // As kcat or curl would publish it: a JSON object of the request's fields, the time as ISO-8601.
            producer.send(new ProducerRecord<>(stack.topics.predictRequests(), bytes("banking"), bytes(
                    "{\"requestId\": \"r-json\", \"domain\": \"banking\", \"text\": \"where is my card\", "
                            + "\"eventTime\": \"" + Instant.now() + "\"}"))).get();
            producer.send(new ProducerRecord<>(stack.topics.predictRequests(), bytes("banking"), bytes(
                    "{\"requestId\": \"r-typo\", \"domian\": \"banking\", \"text\": \"hi\"}"))).get();

            List<Prediction> answered = new ArrayList<>();
            List<RejectedRecord> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                results.poll(Duration.ofMillis(100)).forEach(r -> answered.add(r.value()));
                rejected.poll(Duration.ofMillis(100)).forEach(r -> dead.add(r.value()));
                return answered.size() >= 3 && dead.size() >= 5;
            });
            assertThat(answered).extracting(Prediction::getRequestId).containsExactlyInAnyOrder("r-1", "r-4", "r-json");
            assertThat(dead).filteredOn(record -> record.getDetail().startsWith("INVALID_JSON")).singleElement()
                    .satisfies(record -> assertThat(record.getDetail()).contains("domian"));
            assertThat(answered).allSatisfy(prediction -> {
                assertThat(prediction.getVersion()).isEqualTo(1);
                assertThat(prediction.getAlias()).isEqualTo("production");
                assertThat(ServingStack.LABELS).contains(prediction.getLabel());
            });
            assertThat(dead).extracting(RejectedRecord::getReason)
                    .containsExactlyInAnyOrder("undecodable", "unknown_domain", "blank_text", "text_too_long",
                            "undecodable");
            assertThat(dead).allSatisfy(record -> assertThat(record.getRejectedBy()).isEqualTo("serving"));
        }
    }

    /** With {@code output.format: json}, predictions reach consumers without Avro as JSON objects of their fields. */
    @Test
    void writesPredictionsAsJsonWhenTheDeploymentAsksForIt() throws Exception {
        stack.upload("banking", 1);
        ServingService serving = ServingService.start(stack.config().with(ServingSettings.OUTPUT_FORMAT, "json"),
                stack.encoder, stack.vertx);
        try {
            stack.awaitActive(serving, "banking", 1);
            try (KafkaConsumer<String, byte[]> results = consumer(new ByteArrayDeserializer(),
                    stack.topics.predictResults());
                 KafkaProducer<byte[], byte[]> producer = rawProducer()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    results.poll(Duration.ofMillis(100));
                    return !results.assignment().isEmpty();
                });
                send(producer, request("r-json-out", "banking", "my card has not arrived"));
                List<byte[]> written = new ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    results.poll(Duration.ofMillis(100)).forEach(r -> written.add(r.value()));
                    return !written.isEmpty();
                });
                JsonNode prediction = new ObjectMapper().readTree(written.get(0));
                assertThat(prediction.path("requestId").asText()).isEqualTo("r-json-out");
                assertThat(ServingStack.LABELS).contains(prediction.path("label").asText());
                assertThat(prediction.path("version").asInt()).isEqualTo(1);
                assertThat(prediction.path("scores").get(0).path("score").isNumber()).isTrue();
                assertThat(Instant.parse(prediction.path("eventTime").asText())).isBefore(Instant.now().plusSeconds(1));
            }
        } finally {
            serving.close();
        }
    }

    /** With {@code http.results}, HTTP answers reach predict.results under their request ids: labels can follow. */
    @Test
    void httpAnswersGoToTheResultsTopicUnderTheirRequestIds() throws Exception {
        stack.upload("banking", 1);
        ServingService serving = ServingService.start(stack.config().with(ServingSettings.HTTP_RESULTS, true)
                .with(ServingSettings.CONSUME_REQUESTS, false), stack.encoder, stack.vertx);
        try (KafkaConsumer<String, Prediction> results = consumer(RecordSerdes.prediction(),
                stack.topics.predictResults())) {
            stack.awaitActive(serving, "banking", 1);
            JsonObject single = ok(post(serving, "banking", new JsonObject().put("text", "my card has not arrived")
                    .put("requestId", "h-1")));
            assertThat(single.getString("requestId")).isEqualTo("h-1");
            JsonArray batch = ok(post(serving, "banking", new JsonObject().put("texts",
                    new JsonArray().add("top up failed").add("refund please")))).getJsonArray("predictions");
            String generated = batch.getJsonObject(1).getString("requestId");
            assertThat(generated).isNotBlank().isNotEqualTo(batch.getJsonObject(0).getString("requestId"));
            expect(post(serving, "banking", new JsonObject().put("texts", new JsonArray().add("a").add("b"))
                    .put("requestIds", new JsonArray().add("only-one"))), 400, "bad_request_id");

            Map<String, Prediction> written = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                results.poll(Duration.ofMillis(100)).forEach(r -> written.put(r.value().getRequestId(), r.value()));
                return written.size() >= 3;
            });
            assertThat(written).containsKeys("h-1", generated).hasSize(3);
            assertThat(written.get("h-1").getLabel()).isEqualTo(single.getString("label"));
            assertThat(written.get("h-1").getVersion()).isEqualTo(1);
            assertThat(written.get("h-1").getAlias()).isEqualTo("production");
        } finally {
            serving.close();
        }
    }

    @Test
    void aFullQueuePausesTheKafkaPathInsteadOfRefusingRequests() throws Exception {
        stack.upload("banking", 1);
        ServingService serving = ServingService.start(stack.config().with(ServingSettings.QUEUE_CAPACITY, 2),
                stack.encoder, stack.vertx);
        stack.serving = serving;
        stack.awaitActive(serving, "banking", 1);
        int requests = 120;
        try (KafkaConsumer<String, Prediction> results = consumer(RecordSerdes.prediction(),
                stack.topics.predictResults());
             KafkaConsumer<String, RejectedRecord> rejected = consumer(RecordSerdes.rejectedRecord(),
                     stack.topics.examplesRejected());
             KafkaProducer<byte[], byte[]> producer = rawProducer()) {
            for (int i = 0; i < requests; i++) {
                PredictionRequest request = request("q-" + i, "banking", "where is my card " + i);
                producer.send(new ProducerRecord<>(stack.topics.predictRequests(), bytes("banking"),
                        RecordSerdes.predictionRequest().serialize(stack.topics.predictRequests(), request)));
            }
            producer.flush();
            Set<String> answered = new HashSet<>();
            List<RejectedRecord> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                results.poll(Duration.ofMillis(100)).forEach(r -> answered.add(r.value().getRequestId()));
                rejected.poll(Duration.ofMillis(10)).forEach(r -> dead.add(r.value()));
                return answered.size() >= requests;
            });
            assertThat(answered).hasSize(requests);
            assertThat(dead).as("no request refused for a full queue").isEmpty();
            String metrics = http.send(HttpRequest.newBuilder(URI.create(serving.url() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double pauses = metrics.lines().filter(line -> line.startsWith("continua_serving_kafka_pauses_total"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
            assertThat(pauses).as("the queue was full: partitions were paused").isPositive();
        }
    }

    @Test
    void aCorruptArtifactNeverReplacesTheServingDelta() throws Exception {
        stack.upload("banking", 1);
        AtomicBoolean tamper = new AtomicBoolean(true);
        AtomicInteger tamperedFetches = new AtomicInteger();
        ServingService serving = stack.startServing((domain, version) -> {
            byte[] bytes = stack.client.artifact(domain, version);
            if (version == 2 && tamper.get()) {
                bytes[bytes.length / 2] ^= 0x55;
                tamperedFetches.incrementAndGet();
            }
            return bytes;
        });
        stack.awaitActive(serving, "banking", 1);
        stack.upload("banking", 2);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Integer.valueOf(2).equals(get(serving, "/v1/domains/banking").getInteger("wantedVersion")));
        // A second fetch is the retry: the first corrupt load has been refused by then.
        await().atMost(Duration.ofSeconds(20)).until(() -> tamperedFetches.get() >= 2);
        assertThat(get(serving, "/v1/domains/banking").getInteger("activeVersion")).isEqualTo(1);
        assertThat(ok(post(serving, "banking", new JsonObject().put("text", "card"))).getInteger("version")).isEqualTo(1);

        tamper.set(false);
        stack.awaitActive(serving, "banking", 2);
        assertThat(DeltaArtifact.sha256(stack.client.artifact("banking", 2)))
                .isEqualTo(stack.client.version("banking", 2).orElseThrow().get("sha256").asText());
    }


    private HttpResponse<String> post(ServingService serving, String domain, JsonObject body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(serving.url() + "/v1/domains/" + domain + "/predict"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A predict request for banking with exactly this body and content type (none if null). */
    private HttpResponse<String> raw(ServingService serving, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(serving.url() + "/v1/domains/banking/predict"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject get(ServingService serving, String path) throws Exception {
        return new JsonObject(http.send(HttpRequest.newBuilder(URI.create(serving.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonObject ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static void expect(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo(error);
    }

    private <V> KafkaConsumer<String, V> consumer(org.apache.kafka.common.serialization.Deserializer<V> values,
                                                  String topic) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), values);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private KafkaProducer<byte[], byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void send(KafkaProducer<byte[], byte[]> producer, PredictionRequest request) throws Exception {
        producer.send(new ProducerRecord<>(stack.topics.predictRequests(), bytes(request.getDomain()),
                RecordSerdes.predictionRequest().serialize(stack.topics.predictRequests(), request))).get();
    }

    private static PredictionRequest request(String id, String domain, String text) {
        return PredictionRequest.newBuilder().setRequestId(id).setDomain(domain).setText(text)
                .setEventTime(Instant.now()).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
