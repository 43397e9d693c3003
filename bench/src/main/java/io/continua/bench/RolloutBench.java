package io.continua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.continua.ingest.IngestSettings;
import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryService;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Rollouts on live traffic, end to end on an embedded broker with every service: a stream of prediction
 * requests, each followed by its true label (as a user who later learns the answer), drives live
 * accuracy. A weak first version serves; the trainer learns a better one from more examples, which is
 * tried in the shadow of production and promoted once live labels say so. Then an operator moves
 * production to a deliberately bad version (a head with random weights: it answers at chance, as a
 * model trained on shuffled labels would), and the automatic policy rolls it back. Prints and writes
 * {@code rollout.json}: {@code good_promoted}, {@code promote_after_s} (from the candidate's move to
 * production's), {@code bad_rolled_back}, {@code rollback_after_s} (from the first answer the bad
 * version gave to the rollback) and {@code bad_answers_served}.
 */
final class RolloutBench {
    private static final String DOMAIN = "rollout";
    private static final String TOKEN = "rollout-bench-token";
    private static final Duration LABEL_DELAY = Duration.ofMillis(500);
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);

    /** The run's knobs. */
    record Settings(int intents, int weakShots, int strongShots, double requestsPerSecond, int minLabels,
                    Duration metricsWindow) {
    }

    private final List<LabeledText> train;
    private final List<LabeledText> test;
    private final Settings settings;
    private final Path workDir;
    private final PrintStream progress;

    RolloutBench(List<LabeledText> train, List<LabeledText> test, Settings settings, Path workDir,
                 PrintStream progress) {
        this.train = train;
        this.test = test;
        this.settings = settings;
        this.workDir = workDir;
        this.progress = progress;
    }

    BenchResult run() throws Exception {
        List<String> intents = train.stream().map(LabeledText::label).distinct().sorted().limit(settings.intents())
                .toList();
        List<LabeledText> weak = PeftBench.fewShot(of(train, intents), settings.weakShots(), 7);
        List<LabeledText> strong = PeftBench.fewShot(of(train, intents).stream().filter(row -> !weak.contains(row))
                .toList(), settings.strongShots(), 11);
        List<LabeledText> traffic = of(test, intents);
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        Vertx vertx = Vertx.vertx();
        BenchResult result = new BenchResult("rollout");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(workDir.resolve("kafka")).build()) {
            kafka.start();
            Topics topics = Topics.withDefaultPrefix();
            kafka.createTopics(topics.newTopics(2, (short) 1));
            String bootstrap = kafka.bootstrapServers();
            try (RegistryService registry = RegistryService.start(RegistryBench.registryConfig(kafka, workDir, TOKEN)
                    .with(RegistrySettings.ROLLOUT_INTERVAL, Duration.ofSeconds(1)), encoder, vertx);
                 IngestService ingest = IngestService.start(IngestConfig.defaults(bootstrap, workDir)
                         .with(IngestSettings.PORT, 0).with(IngestSettings.METRICS_WINDOW, settings.metricsWindow())
                         .with(SharedSettings.SCHEMA_REGISTRY_URL, registry.url() + "/schemas-api"), vertx);
                 ServingService serving = ServingService.start(ServingConfig.defaults(bootstrap, registry.url())
                         .with(ServingSettings.PORT, 0).with(SharedSettings.DATA_DIR, workDir), encoder, vertx);
                 Traffic live = new Traffic(bootstrap, topics, traffic)) {
                ingest.awaitRunning(Duration.ofSeconds(120));
                RegistryClient client = new RegistryClient(registry.url(), TOKEN, Duration.ofSeconds(30));
                client.configure(DOMAIN, config("shadow", "auto"));

                progress.printf("rollout: %d intents; a weak first version from %d examples%n", intents.size(),
                        weak.size());
                int first;
                // A trainer runs only while a version is wanted, taking each batch of examples in one update: the
                // live labels, which are examples too, would otherwise keep replacing the candidate being tried.
                try (TrainerService trainer = trainer(bootstrap, registry, encoder, vertx)) {
                    publish(bootstrap, topics, weak);
                    first = await("a first version in production", () -> alias(client, "production") > 0,
                            () -> alias(client, "production"));
                }
                live.start(settings.requestsPerSecond());

                progress.printf("rollout: v%d serves; %d more examples for a better one, tried in shadow%n", first,
                        strong.size());
                try (TrainerService trainer = trainer(bootstrap, registry, encoder, vertx)) {
                    publish(bootstrap, topics, strong);
                    await("a candidate", () -> alias(client, "candidate") > first, () -> alias(client, "production"));
                }
                boolean good = within("production moved by the rollout policy",
                        () -> "rollout:promote".equals(lastActor(client)), () -> alias(client, "production"));
                int promoted = alias(client, "production");
                result.put("good_promoted", good);
                if (good) {
                    JsonNode promotion = lastMove(client, "production");
                    double promoteAfter = Duration.between(movedAt(candidateMoveTo(client, promoted)),
                            movedAt(promotion)).toMillis() / 1e3;
                    progress.printf("rollout: v%d promoted %.1f s after it became the candidate: %s%n", promoted,
                            promoteAfter, promotion.path("reason").asText());
                    result.put("promote_after_s", promoteAfter).put("promoted_version", promoted)
                            .put("promotion_reason", promotion.path("reason").asText());
                }

                // An operator's mistake: production moved by hand to a version that answers at chance.
                client.configure(DOMAIN, config("none", "manual"));
                int bad = upload(client, encoder, intents);
                client.moveAlias(DOMAIN, "production", bad, "bench: a bad version promoted by hand");
                progress.printf("rollout: production moved by hand to v%d (random weights)%n", bad);
                boolean rolledBack = within("production rolled back",
                        () -> "rollout:rollback".equals(lastActor(client)), () -> alias(client, "production"));
                // Answers the bad version gave before serving saw the move back still arrive: let them.
                Thread.sleep(3000);
                result.put("bad_rolled_back", rolledBack).put("bad_answers_served", live.answers(bad))
                        .put("bad_version", bad);
                if (rolledBack) {
                    JsonNode rollback = lastMove(client, "production");
                    Instant firstBad = live.firstAnswer(bad).orElseThrow(() -> new IllegalStateException(
                            "v" + bad + " never answered: traffic did not reach it"));
                    double rollbackAfter = Duration.between(firstBad, movedAt(rollback)).toMillis() / 1e3;
                    progress.printf("rollout: v%d rolled back %.1f s after its first answer, having given %d: %s%n",
                            bad, rollbackAfter, live.answers(bad), rollback.path("reason").asText());
                    result.put("rollback_after_s", rollbackAfter).put("rollback_reason",
                            rollback.path("reason").asText());
                }
                JsonNode scores = client.live(DOMAIN).path("versions");
                result.put("live_accuracy_promoted", scores.path(Integer.toString(promoted)).path("accuracy").asDouble())
                        .put("live_accuracy_bad", scores.path(Integer.toString(bad)).path("accuracy").asDouble());
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        return result.put("intents", settings.intents()).put("requests_per_s", settings.requestsPerSecond())
                .put("min_labels", settings.minLabels()).put("metrics_window_s", settings.metricsWindow().toSeconds());
    }

    /** A trainer that updates the domain a few seconds after new examples come, with whatever came. */
    private TrainerService trainer(String bootstrap, RegistryService registry, PretrainedEncoder encoder, Vertx vertx)
            throws InterruptedException {
        return TrainerService.start(TrainerConfig.defaults(bootstrap, registry.url(), TOKEN)
                .with(TrainerSettings.PORT, 0).with(SharedSettings.DATA_DIR, workDir)
                .with(TrainerSettings.MIN_NEW_EXAMPLES, 1_000_000)
                .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(3)), encoder, vertx);
    }

    private ObjectNode config(String mode, String promotion) {
        ObjectNode config = RegistryClient.object().put("kind", "head");
        config.putObject("promotion").put("policy", promotion).put("minExamples", 10);
        config.putObject("rollout").put("mode", mode).put("policy", "auto").put("minLabels", settings.minLabels())
                .put("confidence", 0.95);
        return config;
    }

    private static List<LabeledText> of(List<LabeledText> rows, List<String> intents) {
        return rows.stream().filter(row -> intents.contains(row.label())).toList();
    }

    private static void publish(String bootstrap, Topics topics, List<LabeledText> rows) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (LabeledText row : rows) {
                producer.send(new ProducerRecord<>(topics.examples(), DOMAIN, RecordSerdes.labeledExample().serialize(
                        topics.examples(), LabeledExample.newBuilder().setId(UUID.randomUUID().toString())
                                .setDomain(DOMAIN).setText(row.text()).setLabel(row.label())
                                .setEventTime(Instant.now()).build())));
            }
            producer.flush();
        }
    }

    /** A head with random weights, uploaded claiming production's holdout score. */
    private static int upload(RegistryClient client, PretrainedEncoder encoder, List<String> intents) {
        Delta random = Delta.initialize(new HeadConfig(), encoder.architecture(), intents, 13).withRandomValues(13, 1.0);
        ObjectNode metadata = RegistryClient.object();
        metadata.putObject("metrics").put("holdout_accuracy", 0.9);
        return client.upload(DOMAIN, DeltaArtifact.pack(random, encoder.fingerprint(), Optional.empty()).bytes(),
                metadata).get("version").asInt();
    }

    private static int alias(RegistryClient client, String alias) {
        return client.aliases(DOMAIN).path("aliases").path(alias).path("version").asInt(0);
    }

    private static JsonNode lastMove(RegistryClient client, String alias) {
        if (alias(client, alias) == 0) {
            return null;
        }
        JsonNode history = client.aliasHistory(DOMAIN, alias).path("history");
        return history.get(history.size() - 1);
    }

    /** The candidate's last move to {@code version}: when it started being tried. */
    private static JsonNode candidateMoveTo(RegistryClient client, int version) {
        JsonNode found = null;
        for (JsonNode move : client.aliasHistory(DOMAIN, "candidate").path("history")) {
            if (move.path("version").asInt() == version) {
                found = move;
            }
        }
        if (found == null) {
            throw new IllegalStateException("v" + version + " was promoted without having been the candidate");
        }
        return found;
    }

    private static Instant movedAt(JsonNode move) {
        return Instant.parse(move.path("movedAt").asText());
    }

    /** Polls until {@code done} (the run cannot go on without it), returning {@code state} then. */
    private int await(String what, BooleanSupplier done, IntSupplier state) throws InterruptedException {
        if (!within(what, done, state)) {
            throw new IllegalStateException("No " + what + " within " + PHASE_TIMEOUT.toMinutes() + " min");
        }
        return state.getAsInt();
    }

    /** Polls until {@code done}, printing {@code state} now and then; false after {@link #PHASE_TIMEOUT}. */
    private boolean within(String what, BooleanSupplier done, IntSupplier state) throws InterruptedException {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        long nextReport = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                progress.printf("rollout: no %s within %d min%n", what, PHASE_TIMEOUT.toMinutes());
                return false;
            }
            if (System.nanoTime() > nextReport) {
                progress.printf("rollout: waiting for %s (production v%d)%n", what, state.getAsInt());
                nextReport = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            }
            Thread.sleep(500);
        }
        return true;
    }

    private static String lastActor(RegistryClient client) {
        JsonNode last = lastMove(client, "production");
        return last == null ? null : last.path("actor").asText();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, "5"), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Live traffic: requests at a steady rate over the test texts, each one's true label sent
     * {@link #LABEL_DELAY} later, and every answer counted per version as it comes back.
     */
    private static final class Traffic implements AutoCloseable {
        private final Topics topics;
        private final List<LabeledText> texts;
        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, Prediction> results;
        private final DelayQueue<PendingLabel> labels = new DelayQueue<>();
        private final Map<Integer, Long> answers = new ConcurrentHashMap<>();
        private final Map<Integer, Instant> firstAnswers = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Traffic(String bootstrap, Topics topics, List<LabeledText> texts) {
            this.topics = topics;
            this.texts = texts;
            this.producer = producer(bootstrap);
            this.results = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "rollout-bench-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(),
                    RecordSerdes.output(Prediction.class, ConfluentSchemas.shippedOnly()));
            results.subscribe(List.of(topics.predictResults()));
        }

        void start(double perSecond) {
            threads.add(new Thread(() -> request(perSecond), "rollout-requests"));
            threads.add(new Thread(this::label, "rollout-labels"));
            threads.add(new Thread(this::count, "rollout-results"));
            threads.forEach(Thread::start);
        }

        private void request(double perSecond) {
            long period = (long) (1e9 / perSecond);
            long next = System.nanoTime();
            for (int i = 0; running.get(); i++) {
                LabeledText row = texts.get(i % texts.size());
                String requestId = "live-" + i;
                producer.send(new ProducerRecord<>(topics.predictRequests(), DOMAIN, RecordSerdes.predictionRequest()
                        .serialize(topics.predictRequests(), PredictionRequest.newBuilder().setRequestId(requestId)
                                .setDomain(DOMAIN).setText(row.text()).setEventTime(Instant.now()).build())));
                labels.add(new PendingLabel(requestId, row, System.nanoTime() + LABEL_DELAY.toNanos()));
                next += period;
                sleepUntil(next);
            }
        }

        private void label() {
            try {
                while (running.get()) {
                    PendingLabel pending = labels.poll(200, TimeUnit.MILLISECONDS);
                    if (pending != null) {
                        producer.send(new ProducerRecord<>(topics.examples(), DOMAIN, RecordSerdes.labeledExample()
                                .serialize(topics.examples(), LabeledExample.newBuilder()
                                        .setId("label-" + pending.requestId()).setDomain(DOMAIN)
                                        .setText(pending.row().text()).setLabel(pending.row().label())
                                        .setRequestId(pending.requestId()).setEventTime(Instant.now()).build())));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void count() {
            while (running.get()) {
                results.poll(Duration.ofMillis(200)).forEach(record -> {
                    Prediction prediction = record.value();
                    if (!prediction.getShadow()) {
                        answers.merge(prediction.getVersion(), 1L, Long::sum);
                        firstAnswers.putIfAbsent(prediction.getVersion(), Instant.ofEpochMilli(record.timestamp()));
                    }
                });
            }
        }

        Optional<Instant> firstAnswer(int version) {
            return Optional.ofNullable(firstAnswers.get(version));
        }

        long answers(int version) {
            return answers.getOrDefault(version, 0L);
        }

        private static void sleepUntil(long nanoTime) {
            long left = nanoTime - System.nanoTime();
            if (left > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            producer.close();
            results.close();
        }
    }

    /** A label to send once its delay is over. */
    private record PendingLabel(String requestId, LabeledText row, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((PendingLabel) other).dueNanos);
        }
    }
}
