package io.continua.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.peft.encoder.Projection;
import io.continua.peft.training.ClassificationScores;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.trainer.TrainerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code continua demo}, the main job: a whole stack on the embedded broker learns Banking77 from a
 * stream while it serves, and a report shows accuracy rising as versions swap in.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job: learn Banking77 from a live stream while serving it, then report.",
            "Starts the whole stack on the embedded broker, streams Banking77's training set in as a producer",
            "would, scores what serving answers every few seconds while deltas improve and swap, and ends with",
            "a summary, demo-summary.json and an HTML report with plots. Its state goes to <data-dir>/demo,",
            "cleared at start."})
final class DemoCommand extends SettingsCommand {
    private static final SettingDefs DEFS = SettingDefs.of("demo", List.of(SharedSettings.DATA_DIR));
    private static final String DOMAIN = "banking77";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--report-dir", defaultValue = "${env:CONTINUA_REPORT_DIR}",
            description = "Where demo-summary.json and report.html go (env CONTINUA_REPORT_DIR, default "
                    + "<data-dir>/demo-report).")
    private Path reportDir;

    @Option(names = "--dataset", defaultValue = "data/banking77",
            description = "A folder with train.jsonl and test.jsonl (default ${DEFAULT-VALUE}, shipped with Continua).")
    private Path dataset;

    @Option(names = "--rate", defaultValue = "45", description = "Examples published per second (default ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--budget", defaultValue = "PT8M30S",
            description = "When to stop training and score the final model, ISO-8601 (default ${DEFAULT-VALUE}).")
    private Duration budget;

    @Option(names = "--eval-every", defaultValue = "PT10S",
            description = "How often to score the served model on the test sample (default ${DEFAULT-VALUE}).")
    private Duration evalEvery;

    @Option(names = "--eval-sample", defaultValue = "384",
            description = "Test texts in the periodic evaluation (default ${DEFAULT-VALUE}).")
    private int evalSample;

    @Option(names = "--kind", defaultValue = "lora", description = "Delta kind trained (default ${DEFAULT-VALUE}).")
    private String kind;

    @Override
    public SettingDefs settingDefs() {
        return DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        Path dataDir = settings.get(SharedSettings.DATA_DIR);
        if (reportDir == null) {
            reportDir = dataDir.resolve("demo-report");
        }
        List<LabeledText> train = new ArrayList<>(JsonlDataset.read(dataset.resolve("train.jsonl")));
        // The file is sorted by intent; a real stream interleaves them.
        Collections.shuffle(train, new Random(77));
        List<LabeledText> test = JsonlDataset.read(dataset.resolve("test.jsonl"));
        List<LabeledText> sample = sample(test, evalSample);
        Path demoDir = dataDir.resolve("demo");
        deleteRecursively(demoDir);
        Files.createDirectories(reportDir);
        long started = System.nanoTime();
        System.out.printf("Continua demo: %d training examples of %s at %.0f/s, scored on %d test texts%n",
                train.size(), dataset.getFileName(), rate, test.size());
        try (LocalStack stack = LocalStack.start(demoDir, null, false, Topics.withDefaultPrefix(), 2,
                LocalStack.Ports.FREE, UpCommand.DEFS.defaults(),
                config -> config
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, 320)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(10))
                        .with(TrainerSettings.STEPS_PER_UPDATE, 20)
                        .with(TrainerSettings.REPLAY_CAPACITY, 12_000)
                        .with(TrainerSettings.HOLDOUT_CAPACITY, 400)
                        .with(TrainerSettings.IDLE_AFTER, Duration.ofSeconds(3))
                        .with(TrainerSettings.CONSOLIDATIONS, 1_000), System.out)) {
            RegistryClient registry = new RegistryClient(stack.registry.url(), stack.adminToken,
                    Duration.ofSeconds(30));
            configure(registry);
            ServingClient serving = new ServingClient(stack.serving.url());
            AtomicLong published = new AtomicLong();
            Thread producer = new Thread(() -> publish(stack, train, published), "demo-producer");
            producer.start();

            DemoTimeline timeline = new DemoTimeline();
            AtomicLong failed = new AtomicLong();
            long deadline = started + budget.toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(evalEvery.toMillis());
                DemoTimeline.Point point = evaluate(serving, registry, sample, published.get(), started, failed);
                timeline.add(point);
                System.out.printf(Locale.ROOT, "[%4.0fs] examples in %5d | versions %2d | served v%-2s | "
                                + "accuracy %5.3f | p50 %5.1f ms%n", point.seconds(), point.examplesIn(), point.versions(),
                        point.servedVersion() > 0 ? Integer.toString(point.servedVersion()) : "-", point.accuracy(),
                        point.p50LatencyMs());
            }
            producer.join();
            System.out.printf("Scoring the served model on all %d test texts ...%n", test.size());
            ClassificationScores finalScores = EvalCommand.score(serving, DOMAIN, test, null);
            int versions = versions(registry);
            DemoSummary summary = new DemoSummary(dataset.getFileName().toString(), kind, finalScores.accuracy(),
                    finalScores.macroF1(), finalScores.total(), published.get(), versions, timeline.swaps().size(),
                    failed.get(), (System.nanoTime() - started) / 1e9);
            write(summary, timeline);
            System.out.printf(Locale.ROOT, "%nFinal served accuracy %.4f (macro-F1 %.4f) on %d test texts; %d examples, "
                            + "%d versions, %d swaps, %d failed requests, %.0f s%nReport: %s%n", summary.finalAccuracy(),
                    summary.finalMacroF1(), summary.finalTestTexts(), summary.examples(), summary.versions(),
                    summary.swaps(), summary.failedRequests(), summary.wallSeconds(),
                    reportDir.resolve("report.html").toAbsolutePath());
        }
        return 0;
    }

    private void configure(RegistryClient registry) {
        ObjectNode config = RegistryClient.object().put("kind", kind);
        if (kind.equals("lora")) {
            config.putObject("hyperparameters").put("targets", Projection.allKeys());
        }
        config.putObject("promotion").put("policy", "auto").put("margin", 0.0);
        registry.configure(DOMAIN, config);
    }

    private void publish(LocalStack stack, List<LabeledText> train, AtomicLong published) {
        try {
            PublishCommand.publish(stack.client, stack.topics.examples(), DOMAIN, train, rate, published::set);
        } catch (Exception e) {
            System.err.println("The demo producer stopped: " + e.getMessage());
        }
    }

    /** Scores the served model on the sample, and times single predictions for the latency figure. */
    private static DemoTimeline.Point evaluate(ServingClient serving, RegistryClient registry, List<LabeledText> sample,
                                               long examplesIn, long started, AtomicLong failed) {
        double seconds = (System.nanoTime() - started) / 1e9;
        int versions = versions(registry);
        JsonNode status = serving.status(DOMAIN);
        int served = status == null || status.path("activeVersion").isNull() ? 0 : status.path("activeVersion").asInt();
        if (served == 0) {
            return new DemoTimeline.Point(seconds, examplesIn, versions, 0, 0, 0);
        }
        double accuracy;
        try {
            accuracy = EvalCommand.score(serving, DOMAIN, sample, null).accuracy();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            accuracy = 0;
        }
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            long sent = System.nanoTime();
            try {
                serving.predictOne(DOMAIN, sample.get(i).text());
                latencies.add((System.nanoTime() - sent) / 1e6);
            } catch (RuntimeException e) {
                failed.incrementAndGet();
            }
        }
        Collections.sort(latencies);
        double p50 = latencies.isEmpty() ? 0 : latencies.get(latencies.size() / 2);
        return new DemoTimeline.Point(seconds, examplesIn, versions, served, accuracy, p50);
    }

    private static int versions(RegistryClient registry) {
        return registry.domain(DOMAIN).map(domain -> domain.path("versions").asInt()).orElse(0);
    }

    private void write(DemoSummary summary, DemoTimeline timeline) throws IOException {
        ObjectNode json = JSON.createObjectNode()
                .put("final_accuracy", summary.finalAccuracy())
                .put("final_macro_f1", summary.finalMacroF1())
                .put("final_test_texts", summary.finalTestTexts())
                .put("examples", summary.examples())
                .put("versions", summary.versions())
                .put("swaps", summary.swaps())
                .put("failed_requests", summary.failedRequests())
                .put("wall_s", summary.wallSeconds())
                .put("dataset", summary.dataset())
                .put("kind", summary.kind());
        var curve = json.putArray("curve");
        timeline.points().forEach(point -> curve.addObject().put("seconds", point.seconds())
                .put("examples", point.examplesIn()).put("served_version", point.servedVersion())
                .put("accuracy", point.accuracy()).put("p50_ms", point.p50LatencyMs()));
        JSON.writeValue(reportDir.resolve("demo-summary.json").toFile(), json);
        Files.writeString(reportDir.resolve("report.html"), DemoReport.html(summary, timeline));
    }

    /** A fixed, seeded sample of the test set. */
    private static List<LabeledText> sample(List<LabeledText> test, int size) {
        List<LabeledText> shuffled = new ArrayList<>(test);
        Collections.shuffle(shuffled, new Random(2020));
        return shuffled.subList(0, Math.min(size, shuffled.size()));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
