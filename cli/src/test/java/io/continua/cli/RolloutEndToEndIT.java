package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.ingest.IngestSettings;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.kafka.RequestHeaders;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Rollouts on the whole stack (embedded broker, registry, ingest, serving): a candidate scored in the
 * shadow of production is promoted once live labels say it is better; a canary answering a share of
 * requests that does worse is retired; a production version that does worse than the one before it
 * is rolled back. The live labels are chosen here, from the answers each version gave, so that which
 * version is better is known; everything between (the join in ingest, the live scores, the policy,
 * the alias moves, serving's routing) is the product's.
 */
class RolloutEndToEndIT {
    private static final String DOMAIN = "rollout";
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final List<String> LABELS = List.of("card_arrival", "top_up", "refund", "exchange_rate");
    private static final List<String> TEXTS = List.of("Where is my new card?", "My top up failed again",
            "I want my money back", "What rate do you use for euros?", "The card has not arrived",
            "Top up did not go through", "Refund the double charge", "How much is a dollar in pounds?",
            "Card still missing after a week", "Why was my top-up declined?", "I returned the item, refund me",
            "Is the exchange rate fixed?", "Track my card delivery", "Add money to my account",
            "Cancel and refund my order", "Which currencies can I exchange?");

    private final PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();

    @Test
    void shadowPromotesABetterCandidateACanaryThatDoesWorseIsRetiredAndABadProductionIsRolledBack() throws Exception {
        Path dataDir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "rollout-" + UUID.randomUUID());
        try (LocalStack stack = LocalStack.start(dataDir, null, false, Topics.withDefaultPrefix(), 2,
                LocalStack.Ports.FREE, UpCommand.DEFS.defaults()
                        .with(RegistrySettings.ROLLOUT_INTERVAL, Duration.ofSeconds(1))
                        // Every text shadowed: the shadow may score as many texts as production answers.
                        .with(ServingSettings.SHADOW_BUDGET, 1.0)
                        // HTTP answers reach predict.results too, under their request ids (and only then are HTTP
                        // requests shadowed: the candidate's scores go nowhere else).
                        .with(ServingSettings.HTTP_RESULTS, true)
                        // Decisions count whole windows after a move: short ones keep the test short.
                        .with(IngestSettings.METRICS_WINDOW, WINDOW), config -> config
                        // The labels sent here must not train versions of their own.
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, 1_000_000)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofHours(24)),
                System.out);
             Traffic traffic = new Traffic(stack)) {
            RegistryClient registry = new RegistryClient(stack.registry.url(), stack.adminToken, Duration.ofSeconds(30));
            registry.configure(DOMAIN, config("shadow"));
            assertThat(upload(registry, 1)).isEqualTo(1);
            assertThat(upload(registry, 2)).isEqualTo(2);
            assertThat(alias(registry, "production")).as("the first version serves at once").isEqualTo(1);
            assertThat(alias(registry, "candidate")).as("a later one is tried first").isEqualTo(2);

            // Shadow: production answers, the candidate scores the same texts; labels favour the candidate.
            awaitLoaded(stack, 2);
            awaitNextWindow();
            Map<String, List<Prediction>> shadowed = traffic.ask("s", 40, answers -> answers.size() == 2);
            assertThat(shadowed.values()).allSatisfy(answers -> assertThat(answers)
                    .extracting(Prediction::getVersion, Prediction::getShadow)
                    .containsExactlyInAnyOrder(tuple(1, false),
                            tuple(2, true)));
            // Over HTTP, one request of more texts than the shadow's smallest allowance (32) is shadowed whole.
            List<JsonNode> overHttp = traffic.http(stack, TEXTS.subList(0, 10).stream()
                    .flatMap(text -> List.of(text, text + "?", text + "!", text + ".").stream()).toList(), null);
            assertThat(overHttp).hasSize(40).allSatisfy(answer -> assertThat(answer.path("version").asInt()).isEqualTo(1));
            assertThat(traffic.awaitAnswers(overHttp.stream().map(answer -> answer.path("requestId").asText()).toList(),
                    answers -> answers.size() == 2).values()).allSatisfy(answers -> assertThat(answers)
                    .extracting(Prediction::getVersion, Prediction::getShadow)
                    .containsExactlyInAnyOrder(tuple(1, false), tuple(2, true)));
            traffic.label(shadowed, (answers, labels) -> {
                String byCandidate = version(answers, 2).getLabel();
                return !byCandidate.equals(version(answers, 1).getLabel()) ? byCandidate : neither(answers);
            });
            awaitMove(registry, "production", 2, "rollout:promote");

            // Canary: a third version answers about half the requests, and does worse than production.
            ObjectNode canary = config("canary");
            ((ObjectNode) canary.get("rollout")).put("canaryShare", 0.5);
            registry.configure(DOMAIN, canary);
            assertThat(upload(registry, 3)).isEqualTo(3);
            assertThat(alias(registry, "candidate")).isEqualTo(3);
            awaitLoaded(stack, 3);
            awaitNextWindow();
            Map<String, List<Prediction>> routed = traffic.ask("c", 90, answers -> answers.size() == 1);
            long byCanary = routed.values().stream().filter(answers -> answers.get(0).getVersion() == 3).count();
            assertThat(byCanary).as("about half of 90").isBetween(25L, 65L);
            assertThat(routed.values()).allSatisfy(answers -> assertThat(answers.get(0).getAlias())
                    .isEqualTo(answers.get(0).getVersion() == 3 ? "candidate" : "production"));
            // Sticky by key: each of 12 keys gets one version on every request, over HTTP and over Kafka.
            Map<String, Set<Integer>> byKey = new HashMap<>();
            Map<String, String> userOfRequest = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (int key = 0; key < 12; key++) {
                    String user = "user-" + key;
                    byKey.computeIfAbsent(user, k -> new HashSet<>()).add(traffic.http(stack,
                            List.of(TEXTS.get(key)), user).get(0).path("version").asInt());
                    String requestId = "k" + round + "-" + key;
                    userOfRequest.put(requestId, user);
                    traffic.send(requestId, TEXTS.get(key), user);
                }
            }
            traffic.awaitAnswers(List.copyOf(userOfRequest.keySet()), answers -> answers.size() == 1).forEach(
                    (requestId, answers) -> byKey.get(userOfRequest.get(requestId)).add(answers.get(0).getVersion()));
            assertThat(byKey.values()).as("one version per key").allSatisfy(versions -> assertThat(versions).hasSize(1));
            assertThat(byKey.values().stream().flatMap(Set::stream).distinct()).as("keys on both sides")
                    .containsExactlyInAnyOrder(2, 3);
            traffic.label(routed, (answers, labels) -> answers.get(0).getVersion() == 3 ? neither(answers)
                    : answers.get(0).getLabel());
            awaitMove(registry, "candidate", 2, "rollout:retire");

            // Rollback: production moved by hand to the version that did worse; live labels agree with nothing it says.
            registry.configure(DOMAIN, config("none"));
            registry.moveAlias(DOMAIN, "production", 3, "e2e: try v3 everywhere");
            awaitServed(stack, 3);
            awaitNextWindow();
            Map<String, List<Prediction>> bad = traffic.ask("r", 30, answers -> answers.size() == 1);
            assertThat(bad.values()).allSatisfy(answers -> assertThat(answers.get(0).getVersion()).isEqualTo(3));
            traffic.label(bad, (answers, labels) -> neither(answers));
            awaitMove(registry, "production", 2, "rollout:rollback");

            JsonNode live = registry.live(DOMAIN).path("versions");
            System.out.printf("Rollout end to end: live accuracy v1 %.3f, v2 %.3f, v3 %.3f%n",
                    live.path("1").path("accuracy").asDouble(), live.path("2").path("accuracy").asDouble(),
                    live.path("3").path("accuracy").asDouble());
            assertThat(live.path("3").path("high").asDouble()).isLessThan(live.path("2").path("low").asDouble());
        }
    }

    private static ObjectNode config(String mode) {
        ObjectNode config = RegistryClient.object().put("kind", "head");
        config.putObject("promotion").put("policy", "auto");
        config.putObject("rollout").put("mode", mode).put("policy", "auto").put("minLabels", 20)
                .put("confidence", 0.95);
        return config;
    }

    /** A head whose weights depend on the seed; it claims production's holdout score, so the gate lets it through. */
    private int upload(RegistryClient registry, long seed) {
        Delta delta = Delta.initialize(new HeadConfig(), encoder.architecture(), LABELS, seed)
                .withRandomValues(seed, 1.0);
        ObjectNode metadata = RegistryClient.object();
        metadata.putObject("metrics").put("holdout_accuracy", 0.5);
        registry.domain(DOMAIN).map(info -> info.path("aliases").path("production")).filter(JsonNode::isInt)
                .ifPresent(production -> metadata.putObject("comparison").put("version", production.asInt())
                        .put("examples", 100).put("labelsCovered", LABELS.size())
                        .putObject("metrics").put("holdout_accuracy", 0.5));
        return registry.upload(DOMAIN, DeltaArtifact.pack(delta, encoder.fingerprint(), Optional.empty()).bytes(),
                metadata).get("version").asInt();
    }

    private static int alias(RegistryClient registry, String alias) {
        return registry.aliases(DOMAIN).path("aliases").path(alias).path("version").asInt();
    }

    private static void awaitMove(RegistryClient registry, String alias, int version, String actor) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> alias(registry, alias) == version);
        JsonNode history = registry.aliasHistory(DOMAIN, alias).path("history");
        JsonNode last = history.get(history.size() - 1);
        System.out.println("Rollout: " + alias + " -> " + version + ": " + last.path("reason").asText());
        assertThat(last.path("actor").asText()).isEqualTo(actor);
        assertThat(last.path("reason").asText()).startsWith("rollout: ");
    }

    private static void awaitLoaded(LocalStack stack, int version) {
        await().atMost(Duration.ofSeconds(60)).until(() -> ((List<?>) stack.serving.catalog().status(DOMAIN)
                .get("loadedVersions")).contains(version));
    }

    private static void awaitServed(LocalStack stack, int version) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Integer.valueOf(version)
                .equals(stack.serving.catalog().status(DOMAIN).get("activeVersion")));
    }

    /** Until a metrics window has begun since now: what is sent then is counted after the last move. */
    private static void awaitNextWindow() {
        Instant next = Instant.ofEpochMilli((Instant.now().toEpochMilli() / WINDOW.toMillis() + 1) * WINDOW.toMillis());
        await().atMost(WINDOW.plusSeconds(1)).until(() -> Instant.now().isAfter(next));
    }

    private static Prediction version(List<Prediction> answers, int version) {
        return answers.stream().filter(answer -> answer.getVersion() == version).findFirst().orElseThrow();
    }

    /** A label none of the answers gave: wrong for every version that answered. */
    private static String neither(List<Prediction> answers) {
        return LABELS.stream().filter(label -> answers.stream().noneMatch(answer -> answer.getLabel().equals(label)))
                .findFirst().orElseThrow();
    }

    /** Prediction requests out, their answers back, and labels for them, over the stack's topics. */
    private static final class Traffic implements AutoCloseable {
        private final Topics topics;
        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, Prediction> results;
        private final Map<String, List<Prediction>> answers = new HashMap<>();
        private final Map<String, String> texts = new HashMap<>();
        private static final ObjectMapper JSON = new ObjectMapper();
        private final HttpClient http = HttpClient.newHttpClient();

        Traffic(LocalStack stack) {
            this.topics = stack.topics;
            this.producer = new KafkaProducer<>(stack.client.client(Map.of()), new StringSerializer(),
                    new ByteArraySerializer());
            this.results = new KafkaConsumer<>(stack.client.client(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, "continua-client-rollout-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(),
                    RecordSerdes.output(Prediction.class, ConfluentSchemas.shippedOnly()));
            results.subscribe(List.of(topics.predictResults()));
        }

        /** Sends {@code count} requests and waits until each has the answers {@code complete} wants. */
        Map<String, List<Prediction>> ask(String prefix, int count,
                                          Predicate<List<Prediction>> complete) throws Exception {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String requestId = prefix + "-" + i;
                // Unique texts: ingest drops a text it has seen as a duplicate, label and all.
                String text = TEXTS.get(i % TEXTS.size()) + " (" + requestId + ")";
                ids.add(requestId);
                texts.put(requestId, text);
                send(requestId, text, null);
                // Paced as live traffic is: shadow work waits for a short queue.
                Thread.sleep(25);
            }
            return awaitAnswers(ids, complete);
        }

        /** One request over Kafka, with a routing key in its header if not null. */
        void send(String requestId, String text, String routingKey) throws Exception {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.predictRequests(), DOMAIN,
                    RecordSerdes.predictionRequest().serialize(topics.predictRequests(), PredictionRequest.newBuilder()
                            .setRequestId(requestId).setDomain(DOMAIN).setText(text).setEventTime(Instant.now())
                            .build()));
            if (routingKey != null) {
                RequestHeaders.routeBy(record.headers(), routingKey);
            }
            producer.send(record).get();
        }

        /** One request over HTTP, with the body's {@code key} if not null; its answers, one per text. */
        List<JsonNode> http(LocalStack stack, List<String> texts, String key) throws Exception {
            ObjectNode body = RegistryClient.object();
            texts.forEach(body.putArray("texts")::add);
            if (key != null) {
                body.put("key", key);
            }
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.serving.url()
                            + "/v1/domains/" + DOMAIN + "/predict")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<JsonNode> answers = new ArrayList<>();
            JSON.readTree(response.body()).path("predictions").forEach(answers::add);
            return answers;
        }

        /** Waits until each request has the answers {@code complete} wants on predict.results; returns them. */
        Map<String, List<Prediction>> awaitAnswers(List<String> ids, Predicate<List<Prediction>> complete) {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                results.poll(Duration.ofMillis(200)).forEach(record -> answers.computeIfAbsent(
                        record.value().getRequestId(), id -> new ArrayList<>()).add(record.value()));
                return ids.stream().allMatch(id -> answers.containsKey(id) && complete.test(answers.get(id)));
            });
            Map<String, List<Prediction>> asked = new HashMap<>();
            ids.forEach(id -> asked.put(id, List.copyOf(answers.get(id))));
            return asked;
        }

        /** Sends, for each request, the label {@code choose} picks from its answers, as the truth for that request. */
        void label(Map<String, List<Prediction>> asked, BiFunction<List<Prediction>, List<String>, String> choose)
                throws Exception {
            for (Map.Entry<String, List<Prediction>> entry : asked.entrySet()) {
                LabeledExample label = LabeledExample.newBuilder().setId("label-" + entry.getKey()).setDomain(DOMAIN)
                        .setText(texts.get(entry.getKey())).setLabel(choose.apply(entry.getValue(), LABELS))
                        .setEventTime(Instant.now()).setRequestId(entry.getKey()).build();
                producer.send(new ProducerRecord<>(topics.examples(), DOMAIN,
                        RecordSerdes.labeledExample().serialize(topics.examples(), label))).get();
            }
        }

        @Override
        public void close() {
            producer.close();
            results.close();
        }
    }
}
