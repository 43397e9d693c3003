package io.continua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.cli.ServingClient;
import io.continua.ingest.IngestSettings;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.data.LabeledText;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Split;
import io.continua.schemas.kafka.DeltaLog;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The kill -9 suite: every component a separate JVM — a 3-node KRaft cluster (replication factor 3,
 * min.insync.replicas 2), a registry writer and a read-only replica, ingest, two trainers, two
 * serving replicas — while a producer streams labeled examples and clients ask both serving
 * replicas. Each cycle kills one of {a trainer, the registry writer, a serving replica, a broker}
 * with SIGKILL at a random moment and starts it again on its data. At the end it checks what the
 * failure model promises: no accepted example lost or trained twice, version numbers never reused,
 * every artifact downloadable from both registry instances with its checksum, no failed prediction
 * on a replica that was not the one killed.
 */
final class ChaosBench {
    private static final String DOMAIN = "chaos";
    private static final String ADMIN_TOKEN = "chaos-admin-" + UUID.randomUUID();
    private static final String TRAINER_TOKEN = "chaos-trainer-" + UUID.randomUUID();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    /** How hard to shake the system. */
    record Settings(int cycles, int examples, double rate, Duration minPause, Duration maxPause, Duration settle,
                    long seed) {
    }

    /** One answered (or failed) prediction request. */
    private record Answer(String replica, long sentNanos, long answeredNanos, boolean ok) {
    }

    /** A component's time out of service: killed at {@code from}, ready again at {@code until}. */
    private record Outage(String component, long from, long until) {
    }

    private final Settings settings;
    private final List<LabeledText> texts;
    private final Path workDir;
    private final PrintStream progress;
    private final Topics topics = Topics.withDefaultPrefix();
    private final Map<String, ComponentProcess> components = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private String bootstrap;
    private String registryUrl;
    private String replicaUrl;
    private final List<String> servingUrls = new ArrayList<>();
    private List<Integer> ports;

    ChaosBench(Settings settings, List<LabeledText> texts, Path workDir, PrintStream progress) {
        this.settings = settings;
        this.texts = texts;
        this.workDir = workDir.toAbsolutePath();
        this.progress = progress;
    }

    /** The examples of eight intents, in a fixed shuffled order: a domain the head learns in a few updates. */
    static List<LabeledText> fewIntents(List<LabeledText> all) {
        List<String> intents = all.stream().map(LabeledText::label).distinct().limit(8).toList();
        List<LabeledText> chosen = new ArrayList<>(all.stream().filter(row -> intents.contains(row.label())).toList());
        Collections.shuffle(chosen, new Random(7));
        return chosen;
    }

    BenchResult run() throws Exception {
        long began = System.nanoTime();
        // Should this JVM be stopped mid-run, its children must not outlive it.
        Thread stopper = new Thread(() -> components.values().forEach(ComponentProcess::killQuietly), "chaos-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            startCluster();
            return shake(began);
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    private void startCluster() throws Exception {
        ports = freePorts(14);
        int[] brokerPorts = {freePort(), freePort(), freePort()};
        int[] controllerPorts = {freePort(), freePort(), freePort()};
        StringBuilder voters = new StringBuilder();
        for (int node = 1; node <= 3; node++) {
            voters.append(node == 1 ? "" : ",").append(node).append("@127.0.0.1:").append(controllerPorts[node - 1]);
        }
        List<String> brokers = new ArrayList<>();
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        for (int node = 1; node <= 3; node++) {
            int port = brokerPorts[node - 1];
            brokers.add("127.0.0.1:" + port);
            add(new ComponentProcess("kafka-" + node, "384m", List.of("kafka", "--kafka-port", Integer.toString(port),
                    "--kafka-node-id", Integer.toString(node), "--kafka-controller-quorum", voters.toString(),
                    "--kafka-cluster-id", clusterId, "--data-dir", dir("kafka-" + node)), workDir,
                    () -> brokerReady("127.0.0.1:" + port)));
        }
        bootstrap = String.join(",", brokers);
        progress.println("Starting a 3-node Kafka cluster (" + bootstrap + ")");
        startTogether(List.of("kafka-1", "kafka-2", "kafka-3"));
        int exit = new ComponentProcess("topics", "256m", List.of("topics", "--bootstrap", bootstrap,
                "--partitions", "2", "--replication", "3"), workDir, () -> true).runToEnd(Duration.ofMinutes(2));
        if (exit != 0) {
            throw new IllegalStateException("continua topics failed with " + exit + "; see " + workDir);
        }

        int registryPort = freePort();
        int replicaPort = freePort();
        registryUrl = "http://127.0.0.1:" + registryPort;
        replicaUrl = "http://127.0.0.1:" + replicaPort;
        String tokens = "admin:admin:" + ADMIN_TOKEN + ",trainer:write:" + TRAINER_TOKEN;
        add(service("registry-1", "512m", registryUrl, List.of("registry", "--bootstrap", bootstrap,
                RegistrySettings.PORT.flag(), Integer.toString(registryPort), RegistrySettings.TOKENS.flag(), tokens,
                "--data-dir", dir("registry-1"))));
        add(service("registry-2", "512m", replicaUrl, List.of("registry", RegistrySettings.READ_ONLY.flag(),
                "--bootstrap", bootstrap, RegistrySettings.PORT.flag(), Integer.toString(replicaPort),
                RegistrySettings.TOKENS.flag(), tokens, "--data-dir", dir("registry-2"))));
        int ingestPort = freePort();
        add(service("ingest", "512m", "http://127.0.0.1:" + ingestPort, List.of("ingest", "--bootstrap", bootstrap,
                IngestSettings.PORT.flag(), Integer.toString(ingestPort), "--data-dir", dir("ingest"))));
        progress.println("Starting the registry writer and replica, ingest");
        startTogether(List.of("registry-1", "registry-2", "ingest"));
        configureDomain();

        for (int i = 1; i <= 2; i++) {
            int port = freePort();
            add(service("trainer-" + i, "1g", "http://127.0.0.1:" + port, List.of("trainer", "--bootstrap", bootstrap,
                    "--registry-url", registryUrl, "--registry-token", TRAINER_TOKEN, TrainerSettings.PORT.flag(),
                    Integer.toString(port), "--min-new-examples", "24", "--max-interval", "PT3S",
                    "--steps-per-update", "10", "--target-passes", "2",
                    "--data-dir", dir("trainer-" + i))));
        }
        for (int i = 1; i <= 2; i++) {
            int port = freePort();
            String url = "http://127.0.0.1:" + port;
            servingUrls.add(url);
            // Each replica fetches artifacts from a different registry instance.
            add(service("serving-" + i, "1g", url, List.of("serving", "--bootstrap", bootstrap,
                    "--registry-url", i == 1 ? registryUrl : replicaUrl, ServingSettings.PORT.flag(),
                    Integer.toString(port), "--data-dir", dir("serving-" + i))));
        }
        progress.println("Starting two trainers and two serving replicas");
        startTogether(List.of("trainer-1", "trainer-2", "serving-1", "serving-2"));
    }

    private BenchResult shake(long began) throws Exception {
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        Thread producer = new Thread(() -> publish(published, publishing), "chaos-producer");
        producer.start();
        awaitServed(Duration.ofMinutes(4));
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean asking = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        for (int client = 0; client < 2; client++) {
            int id = client;
            clients.submit(() -> ask(id, answers, asking));
        }

        Random random = new Random(settings.seed());
        List<Outage> outages = new ArrayList<>();
        List<List<String>> kinds = new ArrayList<>(List.of(List.of("trainer-1", "trainer-2"), List.of("registry-1"),
                List.of("serving-1", "serving-2"), List.of("kafka-1", "kafka-2", "kafka-3")));
        for (int cycle = 1; cycle <= settings.cycles(); cycle++) {
            // Every four cycles kill one of each kind, in a random order: a short run still covers all four.
            if ((cycle - 1) % kinds.size() == 0) {
                Collections.shuffle(kinds, random);
            }
            List<String> kind = kinds.get((cycle - 1) % kinds.size());
            long pauseMs = settings.minPause().toMillis() + (long) (random.nextDouble()
                    * (settings.maxPause().toMillis() - settings.minPause().toMillis()));
            Thread.sleep(pauseMs);
            ComponentProcess victim = components.get(kind.get(random.nextInt(kind.size())));
            long killed = System.nanoTime();
            victim.kill();
            victim.start();
            victim.awaitReady(START_TIMEOUT);
            long ready = System.nanoTime();
            outages.add(new Outage(victim.name(), killed, ready));
            progress.printf("Cycle %d/%d: kill -9 %s, ready again after %d ms%n", cycle, settings.cycles(),
                    victim.name(), (ready - killed) / 1_000_000);
        }
        producer.join(Duration.ofMinutes(5).toMillis());
        publishing.set(false);
        Coverage coverage = awaitCoverage(settings.settle());
        asking.set(false);
        clients.shutdown();
        clients.awaitTermination(30, TimeUnit.SECONDS);

        BenchResult result = new BenchResult("chaos");
        result.put("cycles", settings.cycles());
        result.put("examples_published", published.get());
        result.put("examples_accepted", coverage.accepted());
        result.put("train_examples", coverage.train());
        result.put("examples_lost", coverage.lost());
        result.put("examples_pending", coverage.pending());
        result.put("examples_trained_twice", coverage.twice());
        result.put("versions", coverage.versions());
        result.put("versions_reused", versionsReused());
        result.put("unreadable_artifacts", unreadableArtifacts());
        result.put("predictions", answers.size());
        result.put("failed_predictions_on_survivors", failedOnSurvivors(answers, outages));
        for (String component : List.of("trainer", "registry", "serving", "kafka")) {
            double[] recoveries = outages.stream().filter(outage -> outage.component().startsWith(component))
                    .mapToDouble(outage -> (outage.until() - outage.from()) / 1e6).toArray();
            result.put("recovery_" + component + "_kills", recoveries.length);
            result.put("recovery_" + component + "_p50_ms", Math.round(Percentiles.of(recoveries, 50)));
            result.put("recovery_" + component + "_p99_ms", Math.round(Percentiles.of(recoveries, 99)));
        }
        result.put("wall_s", (System.nanoTime() - began) / 1_000_000_000);
        return result;
    }

    /** Streams the examples, in order and each once, at the configured rate; acks=all, idempotent. */
    private void publish(AtomicLong published, AtomicBoolean publishing) {
        try (KafkaProducer<String, LabeledExample> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new StringSerializer(),
                RecordSerdes.labeledExample())) {
            long started = System.nanoTime();
            int count = Math.min(settings.examples(), texts.size());
            for (int i = 0; i < count && publishing.get(); i++) {
                long due = started + (long) (i / settings.rate() * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                LabeledText row = texts.get(i);
                producer.send(new ProducerRecord<>(topics.examples(), DOMAIN, LabeledExample.newBuilder()
                        .setId("chaos-" + i).setDomain(DOMAIN).setText(row.text()).setLabel(row.label())
                        .setEventTime(Instant.now()).build()), (metadata, error) -> {
                            if (error == null) {
                                published.incrementAndGet();
                            } else {
                                progress.println("Not published: " + error.getMessage());
                            }
                        });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ask(int client, List<Answer> answers, AtomicBoolean asking) {
        List<ServingClient> replicas = servingUrls.stream().map(ServingClient::new).toList();
        int i = 0;
        while (asking.get()) {
            for (int replica = 0; replica < replicas.size(); replica++) {
                String text = texts.get((client * 7919 + i++) % texts.size()).text();
                long sent = System.nanoTime();
                boolean ok;
                try {
                    replicas.get(replica).predictOne(DOMAIN, text);
                    ok = true;
                } catch (RuntimeException refusedOrUnreachable) {
                    ok = false;
                }
                answers.add(new Answer("serving-" + (replica + 1), sent, System.nanoTime(), ok));
            }
        }
    }

    /** A failed request counts unless it was in flight while its replica was out of service. */
    private static long failedOnSurvivors(List<Answer> answers, List<Outage> outages) {
        synchronized (answers) {
            return answers.stream().filter(answer -> !answer.ok())
                    .filter(answer -> outages.stream().noneMatch(outage -> outage.component().equals(answer.replica())
                            && answer.sentNanos() <= outage.until() && answer.answeredNanos() >= outage.from()))
                    .count();
        }
    }

    /**
     * TRAIN examples accepted against the lineage of the trainers' versions: covered once (learned
     * by a registered version), twice, or not at all — pending if at or after the trainers'
     * committed offset (still to be learned: a trainer's candidate the gate refused, or one that
     * died, leaves them there and they are read again), lost if before it.
     */
    private record Coverage(long accepted, long train, long lost, long pending, long twice, int versions) {
        long covered() {
            return train - lost - pending;
        }
    }

    /** Waits until every TRAIN example is covered, or coverage has not moved for a minute, or the time is up. */
    private Coverage awaitCoverage(Duration settle) throws InterruptedException {
        long deadline = System.nanoTime() + settle.toNanos();
        long unchangedSince = System.nanoTime();
        Coverage coverage = coverage();
        while ((coverage.train() == 0 || coverage.lost() + coverage.pending() > 0) && System.nanoTime() < deadline
                && System.nanoTime() - unchangedSince < Duration.ofSeconds(60).toNanos()) {
            Thread.sleep(5_000);
            Coverage next = coverage();
            if (next.covered() != coverage.covered()) {
                unchangedSince = System.nanoTime();
            }
            coverage = next;
            progress.printf("Settling: %d of %d TRAIN examples covered by %d versions, %d pending%n",
                    coverage.covered(), coverage.train(), coverage.versions(), coverage.pending());
        }
        return coverage;
    }

    private Coverage coverage() {
        Map<TopicPartition, List<Long>> trainOffsets = new HashMap<>();
        long accepted = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.examplesAccepted()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            for (ConsumerRecord<String, byte[]> record : readAll(consumer, partitions)) {
                accepted++;
                LabeledExample example = RecordSerdes.labeledExample().deserialize(record.topic(), record.value());
                if (example.getSplit() == Split.TRAIN) {
                    trainOffsets.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                            p -> new ArrayList<>()).add(record.offset());
                }
            }
        }
        RegistryClient registry = new RegistryClient(replicaUrl, null, Duration.ofSeconds(30));
        List<JsonNode> versions = registry.domain(DOMAIN).isPresent() ? registry.allVersions(DOMAIN).stream()
                .filter(version -> version.path("createdBy").asText().equals("trainer")).toList() : List.of();
        Map<TopicPartition, Long> committed = committedOffsets();
        long train = 0;
        long lost = 0;
        long pending = 0;
        long twice = 0;
        for (Map.Entry<TopicPartition, List<Long>> partition : trainOffsets.entrySet()) {
            for (long offset : partition.getValue()) {
                train++;
                long covering = versions.stream().flatMap(version -> toList(version.path("trainedOn")).stream())
                        .filter(range -> range.path("topic").asText().equals(partition.getKey().topic())
                                && range.path("partition").asInt() == partition.getKey().partition()
                                && range.path("fromOffset").asLong() <= offset
                                && offset < range.path("untilOffset").asLong())
                        .count();
                boolean learnable = offset >= committed.getOrDefault(partition.getKey(), 0L);
                lost += covering == 0 && !learnable ? 1 : 0;
                pending += covering == 0 && learnable ? 1 : 0;
                twice += covering > 1 ? 1 : 0;
            }
        }
        return new Coverage(accepted, train, lost, pending, twice, versions.size());
    }

    /** What the trainers' group has committed: everything before it must be in a registered version. */
    private Map<TopicPartition, Long> committedOffsets() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets("continua-trainer").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> offsets.put(partition, offset == null ? 0L : offset.offset()));
            return offsets;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the trainers' committed offsets: " + e.getMessage(), e);
        }
    }

    /** Version keys of the log written with two different versions (a number reused for another artifact). */
    private long versionsReused() {
        Map<String, Set<String>> identities = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            for (ConsumerRecord<String, byte[]> record : readAll(consumer,
                    List.of(new TopicPartition(topics.deltas(), 0)))) {
                if (record.value() == null) {
                    continue;
                }
                DeltaLog.decode(record.topic(), record.key(), record.value()).ifPresent(value -> {
                    if (value instanceof DeltaVersion version) {
                        identities.computeIfAbsent(record.key(), key -> new HashSet<>())
                                .add(version.getSha256() + "@" + version.getCreatedAt());
                    }
                });
            }
        }
        return identities.values().stream().filter(ids -> ids.size() > 1).count();
    }

    /** Live versions whose artifact either registry instance cannot give with the right checksum. */
    private long unreadableArtifacts() {
        long unreadable = 0;
        for (String url : List.of(registryUrl, replicaUrl)) {
            RegistryClient registry = new RegistryClient(url, null, Duration.ofSeconds(60));
            for (JsonNode version : registry.allVersions(DOMAIN)) {
                if (version.path("deleted").asBoolean()) {
                    continue;
                }
                try {
                    byte[] bytes = registry.artifact(DOMAIN, version.path("version").asInt());
                    unreadable += DeltaArtifact.sha256(bytes).equals(version.path("sha256").asText()) ? 0 : 1;
                } catch (RuntimeException e) {
                    progress.println("Cannot read version " + version.path("version") + " from " + url + ": "
                            + e.getMessage());
                    unreadable++;
                }
            }
        }
        return unreadable;
    }

    private void awaitServed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String url : servingUrls) {
            while (!serves(url)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(url + " serves no version of " + DOMAIN + " within " + timeout);
                }
                Thread.sleep(500);
            }
        }
        progress.println("Both serving replicas serve a version; clients start asking");
    }

    private static boolean serves(String url) {
        try {
            JsonNode status = new ServingClient(url).status(DOMAIN);
            return status != null && status.path("activeVersion").isInt();
        } catch (UncheckedIOException unreachable) {
            return false;
        }
    }

    private ComponentProcess service(String name, String heap, String url, List<String> args) {
        return new ComponentProcess(name, heap, args, workDir, () -> httpReady(url));
    }

    private boolean httpReady(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + "/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean brokerReady(String address) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000"))) {
            return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == 3;
        } catch (Exception e) {
            return false;
        }
    }

    private void add(ComponentProcess component) {
        components.put(component.name(), component);
    }

    private void startTogether(List<String> names) throws InterruptedException {
        names.forEach(name -> components.get(name).start());
        for (String name : names) {
            components.get(name).awaitReady(START_TIMEOUT);
        }
    }

    private void stopAll() throws InterruptedException {
        List<ComponentProcess> reversed = new ArrayList<>(components.values());
        Collections.reverse(reversed);
        for (ComponentProcess component : reversed) {
            component.close();
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaConsumer<String, byte[]> consumer,
                                                               List<TopicPartition> partitions) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))
                && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private String dir(String name) {
        return workDir.resolve(name).toString();
    }

    /** The next of the ports chosen at start (distinct: each socket stayed open until all were chosen). */
    private int freePort() {
        return ports.remove(0);
    }

    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                sockets.add(socket);
            }
            return new ArrayList<>(sockets.stream().map(ServerSocket::getLocalPort).toList());
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** The domain's configuration for the suite: a head (fast to train on two cores), promoted automatically. */
    private void configureDomain() {
        var config = RegistryClient.object().put("kind", "head");
        config.putObject("promotion").put("policy", "auto").put("minExamples", 10);
        new RegistryClient(registryUrl, ADMIN_TOKEN, Duration.ofSeconds(30)).configure(DOMAIN, config);
    }
}
