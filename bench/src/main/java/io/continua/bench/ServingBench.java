package io.continua.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.continua.kafka.EmbeddedKafka;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.runtime.Precision;
import io.continua.registry.RegistryService;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.serving.ServingConfig;
import io.continua.serving.ServingService;
import io.continua.serving.ServingSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serving against what a Java user would assemble instead: langchain4j's in-process
 * all-MiniLM-L6-v2 (ONNX Runtime) plus the same classifier head computed in Java, on the same
 * texts, at concurrency 1, 8 and 32. Then mixed-domain serving: 16 domains, each with its own LoRA
 * delta of one layout, at concurrency 32, against one domain with one such delta. Then latency while
 * the production alias keeps moving, and how long swaps take.
 */
final class ServingBench {
    private static final String TOKEN = "bench-serving-admin";
    private static final String DOMAIN = "bench";
    private static final int[] CONCURRENCY = {1, 8, 32};
    private static final int MIXED_DOMAINS = 16;
    private static final int MIXED_CONCURRENCY = 32;

    private final List<LabeledText> texts;
    private final Path workDir;
    private final Duration perLevel;
    private final PrintStream progress;

    ServingBench(List<LabeledText> texts, Path workDir, Duration perLevel, PrintStream progress) {
        this.texts = texts;
        this.workDir = workDir;
        this.perLevel = perLevel;
        this.progress = progress;
    }

    BenchResult run() throws Exception {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        List<String> labels = texts.stream().map(LabeledText::label).distinct().toList();
        Delta head = Delta.initialize(new HeadConfig(), encoder.architecture(), labels, 1);
        BenchResult result = new BenchResult("serving");
        Vertx vertx = Vertx.vertx();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder(workDir.resolve("kafka")).build()) {
            kafka.start();
            Topics topics = Topics.withDefaultPrefix();
            kafka.createTopics(topics.newTopics(2, (short) 1));
            try (RegistryService registry = RegistryService.start(
                    RegistryBench.registryConfig(kafka, workDir, TOKEN), encoder, vertx);
                 ServingService serving = ServingService.start(ServingConfig.defaults(kafka.bootstrapServers(),
                         registry.url()).with(ServingSettings.PORT, 0), encoder, vertx)) {
                RegistryClient client = new RegistryClient(registry.url(), TOKEN, Duration.ofSeconds(30));
                ObjectNode manual = RegistryClient.object().put("kind", "head");
                manual.putObject("promotion").put("policy", "manual");
                client.configure(DOMAIN, manual);
                for (long seed = 1; seed <= 2; seed++) {
                    Delta delta = seed == 1 ? head : Delta.initialize(new HeadConfig(), encoder.architecture(), labels, seed);
                    client.upload(DOMAIN, DeltaArtifact.pack(delta, encoder.fingerprint(), Optional.empty()).bytes(),
                            RegistryClient.object());
                }
                client.moveAlias(DOMAIN, "production", 1, "bench");
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                awaitActive(http, serving, 1);

                long failed = 0;
                Map<String, Object> levels = new LinkedHashMap<>();
                Map<Integer, LoadRun.Result> baselines = new LinkedHashMap<>();
                Baseline baseline = new Baseline(head);
                for (int concurrency : CONCURRENCY) {
                    progress.printf("serving: Continua at concurrency %d for %d s ...%n", concurrency,
                            perLevel.toSeconds());
                    LoadRun.Result ours = LoadRun.run(concurrency, perLevel, i -> predict(http, serving, i));
                    progress.printf("serving: langchain4j + Java head at concurrency %d for %d s ...%n",
                            concurrency, perLevel.toSeconds());
                    LoadRun.Result theirs = LoadRun.run(concurrency, perLevel, i -> baseline.classify(text(i)));
                    baselines.put(concurrency, theirs);
                    failed += ours.failures();
                    Map<String, Object> level = new LinkedHashMap<>();
                    level.put("rps", ours.rps());
                    level.put("p50_ms", ours.p50());
                    level.put("p99_ms", ours.p99());
                    level.put("baseline_rps", theirs.rps());
                    level.put("baseline_p50_ms", theirs.p50());
                    level.put("baseline_p99_ms", theirs.p99());
                    level.put("rps_ratio", ours.rps() / theirs.rps());
                    levels.put("c" + concurrency, level);
                    result.put("c" + concurrency + "_rps", ours.rps())
                            .put("c" + concurrency + "_baseline_rps", theirs.rps())
                            .put("c" + concurrency + "_rps_ratio", ours.rps() / theirs.rps())
                            .put("c" + concurrency + "_p50_ms", ours.p50())
                            .put("c" + concurrency + "_p99_ms", ours.p99())
                            .put("c" + concurrency + "_baseline_p50_ms", theirs.p50())
                            .put("c" + concurrency + "_baseline_p99_ms", theirs.p99());
                }
                result.put("concurrency", levels);
                failed += measureMixed(client, http, serving, encoder, labels, result);
                progress.printf("serving: concurrency 8 while production swaps every second, %d s ...%n",
                        perLevel.toSeconds());
                LoadRun.Result steady = LoadRun.run(8, perLevel, i -> predict(http, serving, i));
                List<Double> swapMs = new ArrayList<>();
                AtomicBoolean swapping = new AtomicBoolean(true);
                Thread swapper = new Thread(() -> swapEverySecond(client, http, serving, swapping, swapMs));
                swapper.start();
                LoadRun.Result underSwaps = LoadRun.run(8, perLevel, i -> predict(http, serving, i));
                swapping.set(false);
                swapper.join();
                failed += steady.failures() + underSwaps.failures();
                double[] swaps = swapMs.stream().mapToDouble(Double::doubleValue).toArray();
                result.put("steady_p50_ms", steady.p50()).put("steady_p99_ms", steady.p99())
                        .put("swap_p50_ms", underSwaps.p50()).put("swap_p99_ms", underSwaps.p99())
                        .put("swap_ms_p50", Percentiles.of(swaps, 50)).put("swap_ms_p99", Percentiles.of(swaps, 99))
                        .put("swaps", swaps.length);
                client.moveAlias(DOMAIN, "production", 1, "bench: bfloat16 level");
                failed += measureBfloat16(kafka, registry, encoder, vertx, http, baselines, result);
                result.put("failed_requests", failed).put("cpu_flags", BenchReport.cpuFlags());
                return result;
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /**
     * One domain with a LoRA delta at concurrency 32, then 16 domains with 16 different LoRA deltas
     * of the same layout, each request to the next domain: batches then hold many deltas. Returns
     * the failed requests.
     */
    private long measureMixed(RegistryClient client, HttpClient http, ServingService serving,
                              PretrainedEncoder encoder, List<String> labels, BenchResult result) throws Exception {
        List<String> domains = new ArrayList<>();
        for (int index = 0; index < MIXED_DOMAINS; index++) {
            String domain = "mixed-" + index;
            ObjectNode manual = RegistryClient.object().put("kind", "lora");
            manual.putObject("promotion").put("policy", "manual");
            client.configure(domain, manual);
            Delta delta = Delta.initialize(LoraConfig.defaults(), encoder.architecture(), labels, index)
                    .withRandomValues(index, 0.05);
            int version = client.upload(domain, DeltaArtifact.pack(delta, encoder.fingerprint(), Optional.empty())
                    .bytes(), RegistryClient.object()).get("version").asInt();
            client.moveAlias(domain, "production", version, "bench");
            domains.add(domain);
        }
        for (String domain : domains) {
            awaitActive(http, serving, domain, 1);
        }
        progress.printf("serving: one domain with a LoRA delta at concurrency %d for %d s ...%n", MIXED_CONCURRENCY,
                perLevel.toSeconds());
        LoadRun.Result single = LoadRun.run(MIXED_CONCURRENCY, perLevel, i -> predict(http, serving, domains.get(0), i));
        progress.printf("serving: %d domains with their own LoRA deltas at concurrency %d for %d s ...%n",
                MIXED_DOMAINS, MIXED_CONCURRENCY, perLevel.toSeconds());
        LoadRun.Result mixed = LoadRun.run(MIXED_CONCURRENCY, perLevel,
                i -> predict(http, serving, domains.get(i % MIXED_DOMAINS), i));
        result.put("lora_c32_rps", single.rps()).put("mixed_c32_rps", mixed.rps())
                .put("mixed_c32_p50_ms", mixed.p50()).put("mixed_c32_p99_ms", mixed.p99())
                .put("mixed_ratio", mixed.rps() / single.rps());
        return single.failures() + mixed.failures();
    }

    /**
     * The same single-text load on a second serving instance whose base products run in bfloat16,
     * against the baseline figures measured above. Returns the failed requests.
     */
    private long measureBfloat16(EmbeddedKafka kafka, RegistryService registry, PretrainedEncoder encoder, Vertx vertx,
                                 HttpClient http, Map<Integer, LoadRun.Result> baselines, BenchResult result)
            throws Exception {
        long failed = 0;
        try (ServingService half = ServingService.start(ServingConfig.defaults(kafka.bootstrapServers(),
                registry.url()).with(ServingSettings.PORT, 0).with(ServingSettings.PRECISION, Precision.BF16.key()),
                        encoder, vertx)) {
            awaitActive(http, half, 1);
            for (int concurrency : CONCURRENCY) {
                progress.printf("serving: Continua in bfloat16 at concurrency %d for %d s ...%n", concurrency,
                        perLevel.toSeconds());
                LoadRun.Result ours = LoadRun.run(concurrency, perLevel, i -> predict(http, half, i));
                failed += ours.failures();
                result.put("bf16_c" + concurrency + "_rps", ours.rps())
                        .put("bf16_c" + concurrency + "_rps_ratio", ours.rps() / baselines.get(concurrency).rps())
                        .put("bf16_c" + concurrency + "_p50_ms", ours.p50())
                        .put("bf16_c" + concurrency + "_p99_ms", ours.p99());
            }
        }
        return failed;
    }

    private String text(int i) {
        return texts.get(i % texts.size()).text();
    }

    private void predict(HttpClient http, ServingService serving, int i) {
        predict(http, serving, DOMAIN, i);
    }

    private void predict(HttpClient http, ServingService serving, String domain, int i) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(serving.url() + "/v1/domains/"
                            + domain + "/predict")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("text", text(i)).encode())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Moves production back and forth and times each move until serving answers with the new version. */
    private static void swapEverySecond(RegistryClient client, HttpClient http, ServingService serving,
                                        AtomicBoolean swapping, List<Double> swapMs) {
        int target = 2;
        while (swapping.get()) {
            long moved = System.nanoTime();
            client.moveAlias(DOMAIN, "production", target, "bench swap");
            awaitActive(http, serving, target);
            swapMs.add((System.nanoTime() - moved) / 1e6);
            target = target == 1 ? 2 : 1;
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void awaitActive(HttpClient http, ServingService serving, int version) {
        awaitActive(http, serving, DOMAIN, version);
    }

    private static void awaitActive(HttpClient http, ServingService serving, String domain, int version) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(serving.url()
                        + "/v1/domains/" + domain)).build(), HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200
                        && Integer.valueOf(version).equals(new JsonObject(status.body()).getInteger("activeVersion"))) {
                    return;
                }
                Thread.sleep(2);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot read serving's status", e);
            }
        }
        throw new IllegalStateException("Serving did not swap to version " + version + " within 60 s");
    }

    /** langchain4j's in-process embedding model plus the same head in plain Java. */
    private static final class Baseline {
        private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        private final float[] weight;
        private final float[] bias;
        private final int labels;

        Baseline(Delta head) {
            this.weight = head.parameter(DeltaLayout.HEAD_WEIGHT).values();
            this.bias = head.parameter(DeltaLayout.HEAD_BIAS).values();
            this.labels = bias.length;
        }

        int classify(String text) {
            float[] embedding = model.embed(text).content().vector();
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int label = 0; label < labels; label++) {
                double score = bias[label];
                for (int h = 0; h < embedding.length; h++) {
                    score += embedding[h] * weight[h * labels + label];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = label;
                }
            }
            return best;
        }
    }
}
