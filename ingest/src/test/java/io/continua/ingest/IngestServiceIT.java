package io.continua.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.continua.ingest.stats.DomainStats;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabelScore;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.settings.SharedSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ingest against a real broker: every published record is accounted for exactly once, across a restart. */
@ExtendWith(EmbeddedKafkaExtension.class)
class IngestServiceIT {
    private final Instant now = Instant.now();
    private Vertx vertx;
    private Topics topics;
    private IngestConfig config;
    private KafkaProducer<byte[], byte[]> producer;
    private IngestService service;

    @BeforeEach
    void start(EmbeddedKafka kafka) {
        vertx = Vertx.vertx();
        String run = UUID.randomUUID().toString().substring(0, 8);
        topics = new Topics("it-" + run + ".");
        kafka.createTopics(topics.newTopics(2, (short) 1));
        Path dataDir = EmbeddedKafkaExtension.testDataDir().resolve("ingest-" + run);
        config = IngestConfig.defaults(kafka.bootstrapServers(), dataDir)
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(IngestSettings.PORT, 0)
                .with(IngestSettings.APPLICATION_ID, "ingest-it-" + run)
                .with(IngestSettings.STATE_DIR, dataDir.resolve("state-1"));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        producer.close();
        if (service != null) {
            service.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void everyRecordIsAcceptedRejectedOrCountedAsADuplicateExactlyOnceAcrossARestart(EmbeddedKafka kafka)
            throws Exception {
        service = IngestService.start(config, vertx);
        service.awaitRunning(Duration.ofSeconds(60));

        List<String> published = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            published.add(send(example("valid-" + i, "question number " + i, "intent_" + (i % 4))));
        }
        for (int i = 0; i < 5; i++) {
            published.add(send(example("dup-" + i, "  question   number " + i + " ", "intent_" + (i % 4))));
        }
        for (int i = 5; i < 8; i++) {
            published.add(send(example("fix-" + i, "question number " + i, "corrected")));
        }
        published.add(send("Banking!", example("bad-domain", "text", "l").setDomain("Banking!")));
        published.add(send("travel", example("bad-key", "text", "l")));
        published.add(send(example(" ", "text", "l")));
        published.add(send(example("bad-blank-text", "\u200B ", "l")));
        published.add(send(example("bad-long-text", "x".repeat(10_001), "l")));
        published.add(send(example("bad-blank-label", "text", "")));
        published.add(send(example("bad-long-label", "text", "l".repeat(101))));
        published.add(send(example("bad-no-time", "text", "l").setEventTime(null)));
        published.add(send(example("bad-old-time", "text", "l").setEventTime(Instant.parse("1999-12-31T23:59:59Z"))));
        producer.send(new ProducerRecord<>(topics.examples(), bytes("banking"), new byte[] {9, 9, 9})).get();
        producer.send(new ProducerRecord<>(topics.examples(), bytes("banking"), new byte[0])).get();
        int publishedCount = published.size() + 2;

        Outcomes outcomes = readUntil(kafka, read -> read.accepted().size() + read.rejected().size()
                + service.stats("banking").orElse(new DomainStats()).duplicateCount() >= publishedCount);
        List<LabeledExample> accepted = outcomes.accepted();
        List<RejectedRecord> rejected = outcomes.rejected();
        DomainStats stats = service.stats("banking").orElseThrow();
        assertThat(accepted).hasSize(23);
        assertThat(rejected).hasSize(11);
        assertThat(stats.duplicateCount()).isEqualTo(5);
        assertThat(stats.correctionCount()).isEqualTo(3);
        assertThat(accepted.size() + rejected.size() + stats.duplicateCount()).isEqualTo(publishedCount);
        Set<String> acceptedIds = new HashSet<>();
        accepted.forEach(example -> assertThat(acceptedIds.add(example.getId())).as("accepted once").isTrue());
        assertThat(acceptedIds).noneMatch(id -> id.startsWith("dup-") || id.startsWith("bad-"));
        assertThat(rejected).extracting(RejectedRecord::getReason).containsExactlyInAnyOrder("invalid_domain",
                "key_domain_mismatch", "blank_id", "blank_text", "text_too_long", "blank_label", "label_too_long",
                "missing_event_time", "absurd_event_time", "undecodable", "undecodable");

        JsonObject overHttp = get("/v1/domains/banking/stats");
        assertThat(overHttp.getLong("accepted")).isEqualTo(23);
        assertThat(overHttp.getLong("duplicates")).isEqualTo(5);
        assertThat(overHttp.getJsonObject("labels").getLong("corrected")).isEqualTo(3);

        service.close();
        Path freshState = config.stateDir().resolveSibling("state-2");
        service = IngestService.start(config.with(IngestSettings.STATE_DIR, freshState), vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        send(example("dup-after-restart", "question number 1", "intent_1"));
        send(example("new-after-restart", "a question never seen", "intent_2"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                service.stats("banking").map(DomainStats::acceptedCount).orElse(0L) == 24);
        assertThat(service.stats("banking").orElseThrow().duplicateCount())
                .as("the dedup state came back from its changelog into a fresh state directory").isEqualTo(6);
    }

    /**
     * One domain's records arriving on two partitions (as when a librdkafka producer and a Java producer hash the
     * same key differently) are one stream: a text sent on both is a duplicate, a new label on the other partition
     * a correction, and the stats count every record of the domain once.
     */
    @Test
    void aDomainPublishedOnTwoPartitionsIsDeduplicatedAndCountedAsOneStream(EmbeddedKafka kafka) throws Exception {
        service = IngestService.start(config, vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            sendTo(0, example("p0-" + i, "question number " + i, "intent_" + (i % 3)));
            sendTo(1, example("p1-" + i, "question number " + i, "intent_" + (i % 3)));
        }
        for (int i = 0; i < 3; i++) {
            sendTo(1, example("p1-fix-" + i, "question number " + i, "corrected"));
        }
        sendTo(0, example("p0-bad", "text", " "));
        sendTo(1, example("p1-bad", "text", ""));

        await().atMost(Duration.ofSeconds(60)).until(() -> service.stats("banking")
                .map(stats -> stats.acceptedCount() + stats.duplicateCount() + stats.rejectedCount()).orElse(0L) >= 25);
        DomainStats stats = service.stats("banking").orElseThrow();
        assertThat(stats.acceptedCount()).as("10 texts, then 3 corrections").isEqualTo(13);
        assertThat(stats.duplicateCount()).as("the same texts from the other partition").isEqualTo(10);
        assertThat(stats.correctionCount()).isEqualTo(3);
        assertThat(stats.rejectedCount()).isEqualTo(2);
    }

    /**
     * Examples published as JSON objects (as kcat or any client without Avro would) are accepted like Avro ones and
     * meet the same rules; a JSON record that does not fit the schema is dead-lettered naming the field; once the
     * deployment accepts only Avro, JSON is dead-lettered as a format it does not accept.
     */
    @Test
    void examplesPublishedAsJsonAreReadAndHeldToTheSameRules(EmbeddedKafka kafka) throws Exception {
        service = IngestService.start(config, vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        sendJson("{\"id\": \"j-1\", \"domain\": \"banking\", \"text\": \"  where is  my card\", "
                + "\"label\": \"card_arrival\", \"eventTime\": \"" + now + "\"}");
        sendJson("{\"id\": \"j-2\", \"domain\": \"banking\", \"text\": \"top up\", \"label\": \" \", "
                + "\"eventTime\": " + now.toEpochMilli() + "}");
        sendJson("{\"id\": \"j-3\", \"domain\": \"banking\", \"text\": \"top up\", \"lable\": \"top_up\"}");

        Outcomes outcomes = readUntil(kafka, read -> read.accepted().size() + read.rejected().size() >= 3);
        List<LabeledExample> accepted = outcomes.accepted();
        List<RejectedRecord> rejected = outcomes.rejected();
        assertThat(accepted).singleElement().satisfies(example -> {
            assertThat(example.getId()).isEqualTo("j-1");
            assertThat(example.getText()).as("normalized like any example").isEqualTo("where is my card");
            assertThat(example.getSplit()).isNotNull();
        });
        assertThat(rejected).extracting(RejectedRecord::getReason).containsExactlyInAnyOrder("blank_label",
                "undecodable");
        assertThat(rejected).filteredOn(record -> record.getReason().equals("undecodable")).singleElement()
                .satisfies(record -> assertThat(record.getDetail()).startsWith("INVALID_JSON").contains("lable"));

        service.close();
        service = IngestService.start(config.with(SharedSettings.INPUT_FORMATS, List.of("single-object")), vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        sendJson("{\"id\": \"j-4\", \"domain\": \"banking\", \"text\": \"hello\", \"label\": \"greet\", "
                + "\"eventTime\": \"" + now + "\"}");
        try (KafkaConsumer<String, RejectedRecord> rejectedReader = reader(kafka, RecordSerdes.rejectedRecord(),
                topics.examplesRejected())) {
            List<RejectedRecord> refused = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                rejectedReader.poll(Duration.ofMillis(100)).forEach(r -> refused.add(r.value()));
                return refused.size() >= 3;
            });
            assertThat(refused.get(2).getDetail()).startsWith("FORMAT_NOT_ACCEPTED");
        }
    }

    /**
     * A real librdkafka client: kcat publishes JSON examples keyed by the domain (its own partitioner), a Java
     * producer the same texts in Avro on both partitions; each text is accepted once, whichever copy comes first,
     * and the others are duplicates of one domain's stream. Needs Debian's kcat (CI installs it).
     */
    @Test
    void jsonFromKcatAndAvroFromJavaOnAnyPartitionAreOneDomainStream(EmbeddedKafka kafka) throws Exception {
        // CI sets CONTINUA_REQUIRE_KCAT: there a missing kcat fails the test instead of skipping it.
        if (System.getenv("CONTINUA_REQUIRE_KCAT") != null) {
            assertThat(onPath("kcat")).as("kcat on the PATH (CONTINUA_REQUIRE_KCAT is set)").isTrue();
        }
        assumeTrue(onPath("kcat"), "kcat is not installed (apt-get install kcat)");
        service = IngestService.start(config, vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            lines.append("{\"id\": \"kcat-").append(i).append("\", \"domain\": \"banking\", \"text\": \"question ")
                    .append(i).append("\", \"label\": \"intent_").append(i % 2).append("\", \"eventTime\": \"")
                    .append(now).append("\"}\n");
        }
        Process kcat = new ProcessBuilder("kcat", "-P", "-b", kafka.bootstrapServers(), "-t", topics.examples(),
                "-k", "banking").redirectErrorStream(true).start();
        kcat.getOutputStream().write(lines.toString().getBytes(StandardCharsets.UTF_8));
        kcat.getOutputStream().close();
        assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kcat.exitValue()).as(new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        for (int i = 0; i < 5; i++) {
            sendTo(0, example("java-a-" + i, "question " + i, "intent_" + (i % 2)));
            sendTo(1, example("java-b-" + i, "question " + i, "intent_" + (i % 2)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> service.stats("banking")
                .map(stats -> stats.acceptedCount() + stats.duplicateCount()).orElse(0L) >= 15);
        DomainStats stats = service.stats("banking").orElseThrow();
        assertThat(stats.acceptedCount()).isEqualTo(5);
        assertThat(stats.duplicateCount()).isEqualTo(10);
        assertThat(stats.rejectedCount()).isZero();
    }

    private static boolean onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /**
     * Producers without Kafka post examples over HTTP: a valid batch is published and accepted like any other
     * record; a batch with one bad example is refused whole (422, naming it) and none of it is published; bodies
     * that are not JSON of the right shape are 4xx.
     */
    @Test
    void examplesPostedOverHttpArePublishedAllOrNothing(EmbeddedKafka kafka) throws Exception {
        service = IngestService.start(config, vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        JsonObject valid = new JsonObject().put("examples", new JsonArray()
                .add(new JsonObject().put("id", "http-1").put("text", "Where is my card?").put("label", "card_arrival")
                        .put("eventTime", now.toString()))
                .add(new JsonObject().put("text", "How do I top up?").put("label", "top_up")
                        .put("eventTime", now.toEpochMilli()))
                .add(new JsonObject().put("text", "Refund please").put("label", "refund").put("domain", "banking")
                        .put("requestId", "req-http-3")));
        HttpResponse<String> published = post("/v1/domains/banking/examples", "application/json", valid.encode());
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        JsonObject answer = new JsonObject(published.body());
        assertThat(answer.getInteger("published")).isEqualTo(3);
        List<String> ids = answer.getJsonArray("ids").stream().map(String.class::cast).toList();
        assertThat(ids).hasSize(3).contains("http-1").doesNotHaveDuplicates();

        JsonObject oneBad = new JsonObject().put("examples", new JsonArray()
                .add(new JsonObject().put("id", "http-ok").put("text", "Card not working").put("label", "card"))
                .add(new JsonObject().put("id", "http-blank").put("text", "   ").put("label", "card")));
        HttpResponse<String> refused = post("/v1/domains/banking/examples", "application/json", oneBad.encode());
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(refused.body()).getString("detail")).contains("examples[1]: BLANK_TEXT");
        // A misspelt field is refused as the same JSON on Kafka would be, not dropped; so is another domain.
        JsonObject misspelt = new JsonObject().put("examples", new JsonArray()
                .add(new JsonObject().put("text", "Card not working").put("label", "card").put("requestID", "r-9"))
                .add(new JsonObject().put("text", "Card lost").put("label", "card").put("domain", "retail")));
        HttpResponse<String> unknown = post("/v1/domains/banking/examples", "application/json", misspelt.encode());
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(unknown.body()).getString("detail")).startsWith("2 of 2 examples")
                .contains("examples[0]: UNDECODABLE (INVALID_JSON: Unknown field(s) [requestID] for a LabeledExample")
                .contains("examples[1]: KEY_DOMAIN_MISMATCH (it names 'retail', the path 'banking')");
        assertThat(post("/v1/domains/banking/examples", "application/json", "{\"examples\": [").statusCode())
                .isEqualTo(400);
        assertThat(post("/v1/domains/banking/examples", "text/plain", valid.encode()).statusCode()).isEqualTo(415);
        assertThat(post("/v1/domains/banking/examples", "application/json",
                "{\"examples\": [{\"text\": 5, \"label\": \"x\"}]}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/domains/Not%20A%20Domain/examples", "application/json", valid.encode()).statusCode())
                .isEqualTo(400);

        await().atMost(Duration.ofSeconds(60)).until(() ->
                service.stats("banking").map(DomainStats::acceptedCount).orElse(0L) == 3);
        List<LabeledExample> onTopic = new ArrayList<>();
        try (KafkaConsumer<String, LabeledExample> examples = reader(kafka, RecordSerdes.labeledExample(),
                topics.examples())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                examples.poll(Duration.ofMillis(200)).forEach(record -> onTopic.add(record.value()));
                return onTopic.size() >= 3;
            });
            examples.poll(Duration.ofSeconds(1)).forEach(record -> onTopic.add(record.value()));
        }
        assertThat(onTopic).extracting(LabeledExample::getId).as("the refused batches published nothing")
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(onTopic).filteredOn(example -> example.getText().equals("Refund please"))
                .extracting(LabeledExample::getRequestId).containsExactly("req-http-3");
    }

    /**
     * Labels that carry a request id join their predictions into live accuracy whichever way they came: as JSON on
     * Kafka, or over HTTP. One of the two labels agrees with its prediction.
     */
    @Test
    void labelsInJsonOnKafkaAndOverHttpJoinTheirPredictionsIntoLiveAccuracy(EmbeddedKafka kafka) throws Exception {
        service = IngestService.start(config, vertx);
        service.awaitRunning(Duration.ofSeconds(60));
        for (String requestId : List.of("req-kafka", "req-http")) {
            Prediction prediction = Prediction.newBuilder().setRequestId(requestId).setDomain("banking")
                    .setLabel("card_arrival").setScores(List.of(new LabelScore("card_arrival", 0.9))).setVersion(7)
                    .setAlias("production").setLatencyMs(3.0).setTruncated(false).setEventTime(now).build();
            producer.send(new ProducerRecord<>(topics.predictResults(), bytes("banking"),
                    RecordSerdes.prediction().serialize(topics.predictResults(), prediction))).get();
        }
        sendJson("{\"id\": \"label-1\", \"domain\": \"banking\", \"text\": \"Where is my card?\", "
                + "\"label\": \"card_arrival\", \"eventTime\": \"" + now.plusSeconds(1) + "\", "
                + "\"requestId\": \"req-kafka\"}");
        JsonObject label = new JsonObject().put("examples", new JsonArray().add(new JsonObject()
                .put("text", "How do I top up?").put("label", "top_up").put("requestId", "req-http")
                .put("eventTime", now.plusSeconds(1).toString())));
        assertThat(post("/v1/domains/banking/examples", "application/json", label.encode()).statusCode())
                .isEqualTo(200);

        Map<Instant, DomainMetrics> windows = new HashMap<>();
        try (KafkaConsumer<String, DomainMetrics> metrics = reader(kafka, RecordSerdes.domainMetrics(),
                topics.metrics())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                // An open window is sent again with its running counts: the latest per window counts.
                metrics.poll(Duration.ofMillis(200)).forEach(record -> windows.put(record.value().getWindowStart(),
                        record.value()));
                return windows.values().stream().mapToLong(DomainMetrics::getCount).sum() == 2;
            });
        }
        assertThat(windows.values()).allSatisfy(window -> assertThat(window.getVersion()).isEqualTo(7));
        assertThat(windows.values().stream().mapToLong(DomainMetrics::getCorrect).sum()).isEqualTo(1);
    }

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.httpPort() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private LabeledExample.Builder example(String id, String text, String label) {
        return LabeledExample.newBuilder().setId(id).setDomain("banking").setText(text).setLabel(label)
                .setEventTime(now);
    }

    private String send(LabeledExample.Builder example) throws Exception {
        return send("banking", example);
    }

    /** What ingest answered: the examples it accepted and the records it rejected. */
    private record Outcomes(List<LabeledExample> accepted, List<RejectedRecord> rejected) {
    }

    /** Reads {@code examples.accepted} and {@code examples.rejected} from the start until {@code enough} holds. */
    private Outcomes readUntil(EmbeddedKafka kafka, Predicate<Outcomes> enough) {
        Outcomes outcomes = new Outcomes(new ArrayList<>(), new ArrayList<>());
        try (KafkaConsumer<String, LabeledExample> acceptedReader = reader(kafka, RecordSerdes.labeledExample(),
                topics.examplesAccepted());
             KafkaConsumer<String, RejectedRecord> rejectedReader = reader(kafka, RecordSerdes.rejectedRecord(),
                     topics.examplesRejected())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                acceptedReader.poll(Duration.ofMillis(100)).forEach(r -> outcomes.accepted().add(r.value()));
                rejectedReader.poll(Duration.ofMillis(100)).forEach(r -> outcomes.rejected().add(r.value()));
                return enough.test(outcomes);
            });
        }
        return outcomes;
    }

    private void sendJson(String json) throws Exception {
        producer.send(new ProducerRecord<>(topics.examples(), bytes("banking"), json.getBytes(StandardCharsets.UTF_8)))
                .get();
    }

    /** To one partition of the examples topic, whatever the key's hash says. */
    private void sendTo(int partition, LabeledExample.Builder example) throws Exception {
        producer.send(new ProducerRecord<>(topics.examples(), partition, bytes("banking"),
                RecordSerdes.labeledExample().serialize(topics.examples(), example.build()))).get();
    }

    private String send(String key, LabeledExample.Builder example) throws Exception {
        LabeledExample record = example.build();
        producer.send(new ProducerRecord<>(topics.examples(), bytes(key),
                RecordSerdes.labeledExample().serialize(topics.examples(), record))).get();
        return record.getId();
    }

    private <V> KafkaConsumer<String, V> reader(EmbeddedKafka kafka, org.apache.kafka.common.serialization.Deserializer<V> values,
                                                String topic) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
