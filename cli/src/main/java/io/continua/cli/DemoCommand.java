package io.continua.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.Projection;
import io.continua.peft.training.ClassificationScores;
import io.continua.peft.training.OfflineTraining;
import io.continua.peft.training.TrainingConfig;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.trainer.DomainStatus;
import io.continua.trainer.TrainerService;
import io.continua.trainer.TrainerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
            "Starts the whole stack on the embedded broker, streams Banking77's training set in as a producer "
            + "would, scores what serving answers every few seconds while deltas improve and swap, and ends with "
            + "a summary, demo-summary.json and an HTML report with plots. Its state goes to <data-dir>/demo, "
            + "cleared at start."})
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

    @Option(names = "--compare-offline", description = {"After the stream, also train the same kind offline on the "
            + "same training set (four epochs, as `bench accuracy` does) on this machine and report both accuracies "
            + "(offline_accuracy in demo-summary.json). Takes a few more minutes."})
    private boolean compareOffline;

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
        DemoSummary summary;
        DemoTimeline timeline = new DemoTimeline();
        try (LocalStack stack = LocalStack.start(demoDir, null, false, Topics.withDefaultPrefix(), 2,
                LocalStack.Ports.FREE, UpCommand.DEFS.defaults(),
                config -> config
                        .with(TrainerSettings.MIN_NEW_EXAMPLES, 320)
                        .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(10))
                        .with(TrainerSettings.STEPS_PER_UPDATE, 20)
                        .with(TrainerSettings.REPLAY_CAPACITY, 12_000)
                        .with(TrainerSettings.HOLDOUT_CAPACITY, 400), System.out)) {
            RegistryClient registry = new RegistryClient(stack.registry.url(), stack.adminToken,
                    Duration.ofSeconds(30));
            configure(registry);
            ServingClient serving = new ServingClient(stack.serving.url());
            AtomicLong published = new AtomicLong();
            Thread producer = new Thread(() -> publish(stack, train, published), "demo-producer");
            producer.start();

            AtomicLong failed = new AtomicLong();
            long deadline = started + budget.toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(evalEvery.toMillis());
                DemoTimeline.Point point = evaluate(serving, registry, stack.trainer, sample, published.get(), started,
                        failed);
                timeline.add(point);
                System.out.printf(Locale.ROOT, "[%4.0fs] examples in %5d | versions %2d | served v%-2s | "
                                + "accuracy %5.3f | p50 %5.1f ms | freshness %s%n", point.seconds(), point.examplesIn(),
                        point.versions(), point.servedVersion() > 0 ? Integer.toString(point.servedVersion()) : "-",
                        point.accuracy(), point.p50LatencyMs(), Double.isNaN(point.freshnessSeconds()) ? "-"
                                : String.format(Locale.ROOT, "%.0f s", point.freshnessSeconds()));
            }
            producer.join();
            System.out.printf("Scoring the served model on all %d test texts ...%n", test.size());
            ClassificationScores finalScores = EvalCommand.score(serving, DOMAIN, test, null);
            int versions = versions(registry);
            summary = new DemoSummary(dataset.getFileName().toString(), kind, finalScores.accuracy(),
                    finalScores.macroF1(), finalScores.total(), published.get(), versions, timeline.swaps().size(),
                    failed.get(), (System.nanoTime() - started) / 1e9, null);
        }
        write(summary, timeline);
        if (compareOffline) {
            // After the stack is gone, so the offline run has the machine to itself as the stream's trainer had;
            // the stream's figures are written first, so a failed offline run loses none of them.
            summary = summary.withOffline(offline(train, test));
            write(summary, timeline);
        }
        System.out.printf(Locale.ROOT, "%nFinal served accuracy %.4f (macro-F1 %.4f) on %d test texts; %d examples, "
                        + "%d versions, %d swaps, %d failed requests, %.0f s%n", summary.finalAccuracy(),
                summary.finalMacroF1(), summary.finalTestTexts(), summary.examples(), summary.versions(),
                summary.swaps(), summary.failedRequests(), summary.wallSeconds());
        if (summary.offline() != null) {
            System.out.printf(Locale.ROOT, "Offline, the same kind on the same data: accuracy %.4f (macro-F1 %.4f) in "
                            + "%.0f s of training; served minus offline %+.4f%n", summary.offline().accuracy(),
                    summary.offline().macroF1(), summary.offline().trainSeconds(),
                    summary.finalAccuracy() - summary.offline().accuracy());
        }
        System.out.printf("Report: %s%n", reportDir.resolve("report.html").toAbsolutePath());
        return 0;
    }

    /** The same kind and hyperparameters the domain was configured with, trained offline for four epochs. */
    private DemoSummary.Offline offline(List<LabeledText> train, List<LabeledText> test) {
        int epochs = 4;
        System.out.printf("Training the same %s delta offline on the %d examples, %d epochs, for comparison ...%n",
                kind, train.size(), epochs);
        TrainingConfig training = TrainingConfig.defaults(deltaConfig());
        ProgressBar bar = new ProgressBar("offline steps", (long) OfflineTraining.stepsPerEpoch(train.size(), training)
                * epochs, System.out);
        OfflineTraining.Result result = OfflineTraining.trainAndScore(PretrainedEncoder.allMiniLmL6V2(),
                deltaConfig(), training, train, test, epochs,
                (step, total, seconds) -> bar.advance(step));
        bar.done();
        return new DemoSummary.Offline(result.evaluation().accuracy(), result.evaluation().macroF1(),
                result.trainSeconds(), epochs);
    }

    /** The hyperparameters the demo configures its domain's kind with: LoRA on every projection. */
    private Map<String, String> hyperparameters() {
        return kind.equals("lora") ? Map.of("targets", Projection.allKeys()) : Map.of();
    }

    private DeltaConfig deltaConfig() {
        Map<String, String> settings = new HashMap<>(hyperparameters());
        settings.put("kind", kind);
        return DeltaConfigs.parse(settings);
    }

    private void configure(RegistryClient registry) {
        ObjectNode config = RegistryClient.object().put("kind", kind);
        if (!hyperparameters().isEmpty()) {
            ObjectNode hyperparameters = config.putObject("hyperparameters");
            hyperparameters().forEach(hyperparameters::put);
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
    private static DemoTimeline.Point evaluate(ServingClient serving, RegistryClient registry, TrainerService trainer,
                                               List<LabeledText> sample, long examplesIn, long started,
                                               AtomicLong failed) {
        double seconds = (System.nanoTime() - started) / 1e9;
        int versions = versions(registry);
        DomainStatus trained = trainer.statuses().get(DOMAIN);
        double freshness = trained == null ? Double.NaN : trained.freshnessSeconds(System.currentTimeMillis());
        JsonNode status = serving.status(DOMAIN);
        int served = status == null || status.path("activeVersion").isNull() ? 0 : status.path("activeVersion").asInt();
        if (served == 0) {
            return new DemoTimeline.Point(seconds, examplesIn, versions, 0, 0, 0, freshness);
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
        return new DemoTimeline.Point(seconds, examplesIn, versions, served, accuracy, p50, freshness);
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
        if (summary.offline() != null) {
            json.put("offline_accuracy", summary.offline().accuracy())
                    .put("offline_macro_f1", summary.offline().macroF1())
                    .put("offline_train_s", summary.offline().trainSeconds())
                    .put("offline_epochs", summary.offline().epochs());
        }
        var curve = json.putArray("curve");
        timeline.points().forEach(point -> curve.addObject().put("seconds", point.seconds())
                .put("examples", point.examplesIn()).put("served_version", point.servedVersion())
                .put("accuracy", point.accuracy()).put("p50_ms", point.p50LatencyMs())
                .put("freshness_s", Double.isNaN(point.freshnessSeconds()) ? null : point.freshnessSeconds()));
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
