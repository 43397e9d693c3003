package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.registry.http.RegistryApi;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.confluent.ConfluentWireFormat;
import io.continua.schemas.confluent.SchemaIds;
import io.continua.schemas.confluent.Subjects;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.InputDeserializer;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The whole system in one JVM, all real: embedded broker, registry, ingest, trainer, serving, secured
 * as {@code up --secure} secures it (every service its own SCRAM principal held to ACLs, the deltas
 * log signed by the registry and checked by serving; this test publishes as the client principal). Five
 * Banking77 intents stream in with one undecodable and one invalid record; versions get registered,
 * served predictions beat chance by far, a swap happens under load without a failed request, a client
 * of Confluent's wire format with its own registered schemas gets every Kafka prediction back in that
 * format naming its version (and its later labels count as live accuracy), and both bad records are
 * dead-lettered with reasons.
 */
class EndToEndIT {
    private static final String DOMAIN = "banking";
    /** A client's own schemas, as a team in another language writes them: only the fields it sets. */
    private static final String CLIENT_REQUEST_SCHEMA = "{\"type\": \"record\", \"name\": \"PredictionRequest\", "
            + "\"namespace\": \"io.continua.schemas\", \"fields\": [{\"name\": \"requestId\", \"type\": \"string\"}, "
            + "{\"name\": \"domain\", \"type\": \"string\"}, {\"name\": \"text\", \"type\": \"string\"}, "
            + "{\"name\": \"eventTime\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}}]}";
    private static final String CLIENT_LABEL_SCHEMA = "{\"type\": \"record\", \"name\": \"LabeledExample\", "
            + "\"namespace\": \"io.continua.schemas\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}, "
            + "{\"name\": \"domain\", \"type\": \"string\"}, {\"name\": \"text\", \"type\": \"string\"}, "
            + "{\"name\": \"label\", \"type\": \"string\"}, {\"name\": \"eventTime\", \"type\": [\"null\", "
            + "{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}], \"default\": null}, "
            + "{\"name\": \"requestId\", \"type\": [\"null\", \"string\"], \"default\": null}]}";

    @Test
    void learnsFromTheStreamAndServesWhileItSwaps() throws Exception {
        Path dataDir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "e2e-" + UUID.randomUUID());
        Path data = Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77");
        List<String> intents = JsonlDataset.read(data.resolve("train.jsonl")).stream().map(LabeledText::label)
                .distinct().limit(5).toList();
        List<LabeledText> train = StreamedRows.take(JsonlDataset.read(data.resolve("train.jsonl")),
                Set.copyOf(intents), 60);
        List<LabeledText> test = StreamedRows.take(JsonlDataset.read(data.resolve("test.jsonl")),
                Set.copyOf(intents), 40);

        try (LocalStack stack = LocalStack.start(dataDir, null, true, Topics.withDefaultPrefix(), 2,
                LocalStack.Ports.FREE, UpCommand.DEFS.defaults().with(ServingSettings.OUTPUT_FORMAT, "confluent"),
                config -> config
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, 64)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(2)),
                System.out)) {
            RegistryClient registry = new RegistryClient(stack.registry.url(), stack.adminToken, Duration.ofSeconds(30));
            ServingClient serving = new ServingClient(stack.serving.url());
            var config = RegistryClient.object().put("kind", "lora");
            // The stream is small (about 30 holdout examples in all): accept paired evidence on 10.
            config.putObject("promotion").put("policy", "auto").put("margin", 0.05).put("minExamples", 10);
            registry.configure(DOMAIN, config);
            Topics topics = stack.topics;
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(stack.client.client(Map.of()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.examples(), bytes(DOMAIN), new byte[] {1, 2, 3, 4})).get();
                LabeledExample invalid = LabeledExample.newBuilder().setId("x").setDomain(DOMAIN).setText("  ")
                        .setLabel("card_arrival").setEventTime(Instant.now()).build();
                raw.send(new ProducerRecord<>(topics.examples(), bytes(DOMAIN),
                        RecordSerdes.labeledExample().serialize(topics.examples(), invalid))).get();
            }
            List<LabeledText> first = train.subList(0, train.size() / 2);
            PublishCommand.publish(stack.client, topics.examples(), DOMAIN, first, 0, count -> { });
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> servedVersion(serving) > 0);
            int firstServed = servedVersion(serving);

            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            List<Integer> versionsSeen = Collections.synchronizedList(new ArrayList<>());
            Thread client = new Thread(() -> {
                while (sending.get()) {
                    try {
                        versionsSeen.add(serving.predictOne(DOMAIN, test.get(answered.get() % test.size()).text())
                                .path("version").asInt());
                        answered.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e.getMessage());
                    }
                }
            });
            client.start();
            PublishCommand.publish(stack.client, topics.examples(), DOMAIN, train.subList(train.size() / 2,
                    train.size()), 0, count -> { });
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> servedVersion(serving) > firstServed);
            // Keep the client running until it has been answered by the new version too.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> List.copyOf(versionsSeen).stream().anyMatch(version -> version > firstServed));
            sending.set(false);
            client.join();
            assertThat(failures).as("requests that failed during the swap").isEmpty();
            assertThat(versionsSeen).contains(firstServed).anyMatch(version -> version > firstServed);

            double accuracy = EvalCommand.score(serving, DOMAIN, test, null).accuracy();
            System.out.printf("End to end: served version %d, accuracy %.3f on %d test texts, %d requests during swaps%n",
                    servedVersion(serving), accuracy, test.size(), answered.get());
            assertThat(accuracy).as("five intents: chance is 0.2").isGreaterThan(0.6);
            assertThat(registry.allVersions(DOMAIN)).hasSizeGreaterThanOrEqualTo(2);

            assertConfluentClientsRoundTrip(stack, test);
            assertDeadLetters(stack);
            assertHoldAndReleaseFromTheCommandLine(stack, registry, serving, firstServed);
        }
    }

    /** `admin hold` takes production back to an earlier version and pins it; `admin release` lets the policy go on. */
    private static void assertHoldAndReleaseFromTheCommandLine(LocalStack stack, RegistryClient registry,
                                                               ServingClient serving, int version) {
        String[] admin = {"admin", "--registry-url", stack.registry.url(), "--registry-token", stack.adminToken};
        assertThat(Continua.commandLine().execute(concat(admin, "hold", "--domain", DOMAIN, "--version",
                Integer.toString(version), "--reason", "e2e: hold"))).isZero();
        JsonNode production = registry.aliases(DOMAIN).path("aliases").path("production");
        assertThat(production.path("version").asInt()).isEqualTo(version);
        assertThat(production.path("held").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> servedVersion(serving) == version);

        assertThat(Continua.commandLine().execute(concat(admin, "release", "--domain", DOMAIN))).isZero();
        production = registry.aliases(DOMAIN).path("aliases").path("production");
        assertThat(production.path("version").asInt()).isEqualTo(version);
        assertThat(production.path("held").asBoolean()).isFalse();
        List<JsonNode> moves = history(registry);
        List<String> reasons = moves.stream().map(move -> move.path("reason").asText()).toList();
        int hold = reasons.indexOf("e2e: hold");
        assertThat(reasons.get(hold + 1)).isEqualTo("released from the command line");
        // A release where the alias points keeps where it came from, so a rollback would still undo the hold's move.
        assertThat(moves.get(hold + 1).path("version").asInt()).isEqualTo(version);
        assertThat(moves.get(hold + 1).path("previousVersion").asInt())
                .isEqualTo(moves.get(hold).path("previousVersion").asInt()).isNotEqualTo(version);
    }

    private static List<JsonNode> history(RegistryClient registry) {
        List<JsonNode> moves = new ArrayList<>();
        registry.aliasHistory(DOMAIN, "production").path("history").forEach(moves::add);
        return moves;
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /**
     * A client of Confluent's wire format, as one in another language works: generic records of its own schemas,
     * registered under the topics' subjects; every prediction comes back in Confluent's wire format with the id the
     * registry gave Continua's Prediction schema, naming its version; the labels sent later for those requests are
     * joined with them into live accuracy.
     */
    private static void assertConfluentClientsRoundTrip(LocalStack stack, List<LabeledText> test) throws Exception {
        Topics topics = stack.topics;
        String schemasApi = stack.registry.url() + RegistryApi.SCHEMAS_API;
        ConfluentSchemas registry = ConfluentSchemas.at(schemasApi, "e2e-client:" + stack.adminToken);
        Schema requestSchema = new Schema.Parser().parse(CLIENT_REQUEST_SCHEMA);
        Schema labelSchema = new Schema.Parser().parse(CLIENT_LABEL_SCHEMA);
        int requestId = registry.idOf(Subjects.valueOf(topics.predictRequests()), requestSchema);
        int labelId = registry.idOf(Subjects.valueOf(topics.examples()), labelSchema);
        assertThat(requestId).isNotEqualTo(SchemaIds.of(PredictionRequest.getClassSchema()));
        int count = 10;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(stack.client.client(Map.of()),
                new ByteArraySerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> results = consumer(stack, new ByteArrayDeserializer(),
                     topics.predictResults());
             KafkaConsumer<String, DomainMetrics> metrics = consumer(stack, RecordSerdes.domainMetrics(),
                     topics.metrics())) {
            for (int i = 0; i < count; i++) {
                GenericRecord request = new GenericData.Record(requestSchema);
                request.put("requestId", "e2e-" + i);
                request.put("domain", DOMAIN);
                request.put("text", test.get(i).text());
                request.put("eventTime", Instant.now().toEpochMilli());
                producer.send(new ProducerRecord<>(topics.predictRequests(), bytes(DOMAIN), framed(requestId,
                        request))).get();
            }
            InputDeserializer<Prediction> decoder = RecordSerdes.output(Prediction.class,
                    ConfluentSchemas.at(schemasApi, null));
            List<Prediction> answers = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                results.poll(Duration.ofMillis(200)).forEach(record -> {
                    assertThat(record.value()[0]).as("Confluent's magic byte").isZero();
                    assertThat(ConfluentWireFormat.schemaId(record.value()))
                            .isEqualTo(SchemaIds.of(Prediction.getClassSchema()));
                    answers.add(decoder.deserialize(record.topic(), record.value()));
                });
                return answers.size() >= count;
            });
            assertThat(answers).allSatisfy(prediction -> assertThat(prediction.getVersion()).isPositive());
            for (int i = 0; i < count; i++) {
                GenericRecord label = new GenericData.Record(labelSchema);
                label.put("id", "e2e-label-" + i);
                label.put("domain", DOMAIN);
                label.put("text", test.get(i).text());
                label.put("label", test.get(i).label());
                label.put("eventTime", Instant.now().toEpochMilli());
                label.put("requestId", "e2e-" + i);
                producer.send(new ProducerRecord<>(topics.examples(), bytes(DOMAIN), framed(labelId, label))).get();
            }
            Map<String, Long> joined = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                metrics.poll(Duration.ofMillis(200)).forEach(record -> joined.put(record.value().getVersion() + "@"
                        + record.value().getWindowStart(), record.value().getCount()));
                return joined.values().stream().mapToLong(Long::longValue).sum() >= count;
            });
        }
    }

    /** Confluent's framing of a generic record of the client's own schema. */
    private static byte[] framed(int schemaId, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ConfluentWireFormat.header(schemaId));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static void assertDeadLetters(LocalStack stack) {
        try (KafkaConsumer<String, RejectedRecord> rejected = consumer(stack, RecordSerdes.rejectedRecord(),
                stack.topics.examplesRejected())) {
            List<RejectedRecord> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                rejected.poll(Duration.ofMillis(200)).forEach(record -> dead.add(record.value()));
                return dead.size() >= 2;
            });
            assertThat(dead).extracting(RejectedRecord::getReason).containsExactlyInAnyOrder("undecodable", "blank_text");
        }
    }

    private static int servedVersion(ServingClient serving) {
        JsonNode status = serving.status(DOMAIN);
        return status == null || status.path("activeVersion").isNull() ? 0 : status.path("activeVersion").asInt();
    }

    private static <V> KafkaConsumer<String, V> consumer(LocalStack stack,
                                                         org.apache.kafka.common.serialization.Deserializer<V> values,
                                                         String topic) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(stack.client.client(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "continua-client-e2e-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new StringDeserializer(), values);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
