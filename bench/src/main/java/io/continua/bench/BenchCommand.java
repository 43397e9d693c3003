package io.continua.bench;

import io.continua.cli.CommandExtension;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.encoder.Projection;
import io.continua.peft.runtime.NativeCache;
import io.continua.peft.training.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code continua bench <name>}: measurements that print a table and, with --json, write JSON files. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark, print its figures and optionally write <name>.json.",
        subcommands = {BenchCommand.All.class, BenchCommand.Model.class, BenchCommand.Accuracy.class, BenchCommand.Peft.class,
            BenchCommand.Ingest.class, BenchCommand.Registry.class, BenchCommand.Trainer.class,
            BenchCommand.Serving.class, BenchCommand.Chaos.class, BenchCommand.Rollout.class})
public final class BenchCommand implements CommandExtension {
    @Override
    public Object command() {
        return this;
    }


    @Command(name = "model", mixinStandardHelpOptions = true,
            description = {"Model core figures: parity of the TensorFlow encoder with ONNX Runtime, inference "
                + "sentences/s through the DJL serving path at batch 1 and 32, and achieved GFLOP/s against "
                + "a MatMul peak measured in the same run."})
    static final class Model implements Callable<Integer> {
        @Mixin
        private JsonOutput json;

        @Option(names = "--data", defaultValue = "${env:CONTINUA_BENCH_TEXTS:-data/banking77/test.jsonl}",
                description = "JSON Lines of {\"text\",\"label\"} to run (env CONTINUA_BENCH_TEXTS, "
                        + "default ${DEFAULT-VALUE}).")
        private Path data;

        @Option(names = "--single-texts", defaultValue = "500",
                description = "How many texts to time one by one at batch 1 (default ${DEFAULT-VALUE}).")
        private int singleTexts;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(data)) {
                throw new IllegalArgumentException("No dataset at " + data + " (set --data)");
            }
            BenchResult result = new ModelBench(JsonlDataset.read(data), NativeCache.dir().resolve("serving"),
                    singleTexts, System.err).run();
            report(result, json.dir);
            return 0;
        }
    }

    @Command(name = "accuracy", mixinStandardHelpOptions = true,
            description = {"Train one delta kind on a whole training set offline, then score it on the test set: "
                + "accuracy and macro-F1 with the training wall time."})
    static final class Accuracy implements Callable<Integer> {
        @Option(names = "--dataset", description = "A folder of that name under --datasets-dir (e.g. banking77, sst2).")
        private String dataset;

        @Option(names = "--data", description = "A folder holding train.jsonl and test.jsonl ({\"text\",\"label\"} lines); "
                + "overrides --dataset.")
        private Path data;

        @Mixin
        private DatasetsDir datasets;

        @Option(names = "--kind", defaultValue = "lora", description = {
            "One of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
            "lora defaults to r=4 on all six projections here",
            "(--set targets=query,value --set r=8 for the service's default)."},
                completionCandidates = KindKeys.class)
        private String kind;

        @Option(names = "--set", description = "A hyperparameter of the kind, e.g. --set r=16 --set targets=query,key,value "
                + "--set placement=houlsby --set reduction_factor=8.")
        private Map<String, String> hyperparameters = new LinkedHashMap<>();

        @Option(names = "--epochs", defaultValue = "4", description = "Passes over the training set (default ${DEFAULT-VALUE}).")
        private int epochs;

        @Option(names = "--batch-size", defaultValue = "32", description = "Default ${DEFAULT-VALUE}.")
        private int batchSize;

        @Option(names = "--lr", description = "Learning rate of the kind's tensors (default: the kind's, 2e-3 for most).")
        private Double learningRate;

        @Option(names = "--head-lr", description = "Learning rate of the classifier head (default 1e-2).")
        private Double headLearningRate;

        @Option(names = "--limit", description = "Use at most this many training rows (for a quick run).")
        private Integer limit;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() {
            Path folder = datasetFolder();
            String name = dataset != null ? dataset : folder.getFileName().toString();
            List<LabeledText> train = JsonlDataset.read(folder.resolve("train.jsonl"));
            if (limit != null && limit < train.size()) {
                List<LabeledText> shuffled = new ArrayList<>(train);
                Collections.shuffle(shuffled, new Random(7));
                train = shuffled.subList(0, limit);
            }
            DeltaConfig config = benchKind(kind, hyperparameters);
            TrainingConfig defaults = TrainingConfig.defaults(config).withBatchSize(batchSize);
            TrainingConfig training = defaults.withLearningRates(
                    learningRate != null ? learningRate : defaults.learningRate(),
                    headLearningRate != null ? headLearningRate : defaults.headLearningRate());
            BenchResult result = new AccuracyBench(name, train, JsonlDataset.read(folder.resolve("test.jsonl")),
                    config, training, epochs, System.err).run();
            report(result, json.dir);
            return 0;
        }

        private Path datasetFolder() {
            if (data != null) {
                return DatasetsDir.require(data);
            }
            if (dataset == null) {
                throw new IllegalArgumentException("Name a --dataset (e.g. banking77) or a --data folder");
            }
            return datasets.folder(dataset);
        }
    }

    @Command(name = "peft", mixinStandardHelpOptions = true,
            description = {"Every delta kind on Banking77, SST-2 and a few-shot Banking77 split, trained offline and "
                + "scored on the test sets: accuracy, macro-F1, trainable parameters (count and %% of the base), "
                + "training time and test texts/s (tokenized and classified in batches of 64), as one table; "
                + "--json writes peft.json.",
                "The whole run takes hours on 2 cores: --kinds and --datasets narrow it."})
    static final class Peft implements Callable<Integer> {
        @Mixin
        private DatasetsDir datasets;

        @Option(names = "--kinds", split = ",", description = "Kinds to run (default: every kind: ${COMPLETION-CANDIDATES}).",
                completionCandidates = KindKeys.class)
        private List<String> kinds;

        @Option(names = "--datasets", split = ",", defaultValue = "banking77,sst2,banking77-few-shot",
                description = "Splits to run (default ${DEFAULT-VALUE}).")
        private List<String> splits;

        @Option(names = "--epochs", defaultValue = "4", description = "Passes over Banking77 (default ${DEFAULT-VALUE}).")
        private int epochs;

        @Option(names = "--sst2-rows", defaultValue = "20000",
                description = "SST-2 training rows, a seeded sample of the 67,349 (default ${DEFAULT-VALUE}).")
        private int sst2Rows;

        @Option(names = "--sst2-epochs", defaultValue = "1", description = "Passes over those rows (default ${DEFAULT-VALUE}).")
        private int sst2Epochs;

        @Option(names = "--shots", defaultValue = "10", description = "Training rows per intent of the few-shot split "
                + "(default ${DEFAULT-VALUE}).")
        private int shots;

        @Option(names = "--few-shot-epochs", defaultValue = "20",
                description = "Passes over the few-shot rows (default ${DEFAULT-VALUE}).")
        private int fewShotEpochs;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() {
            List<PeftBench.Split> chosen = new ArrayList<>();
            for (String split : splits) {
                chosen.add(split(split.trim()));
            }
            List<String> keys = new ArrayList<>();
            (kinds != null ? kinds : new KindKeys()).forEach(keys::add);
            List<DeltaConfig> configs = keys.stream().map(key -> benchKind(key.trim(), Map.of())).toList();
            PeftBench.Report report = new PeftBench(chosen, configs, System.err).run();
            System.out.println();
            System.out.print(PeftBench.table(report));
            System.out.println(BenchReport.machine());
            if (json.dir != null) {
                BenchResult result = new BenchResult("peft")
                        .put("rows", report.rows().stream().map(PeftBench.Row::json).toList())
                        .put("base_params", report.baseParameters());
                BenchReport.writeJson(List.of(result), json.dir);
                System.out.println("Wrote " + json.dir.resolve("peft.json"));
            }
            return 0;
        }

        private PeftBench.Split split(String name) {
            return switch (name) {
                case "banking77" -> {
                    Path folder = datasets.folder("banking77");
                    yield new PeftBench.Split("banking77", null, JsonlDataset.read(folder.resolve("train.jsonl")),
                            JsonlDataset.read(folder.resolve("test.jsonl")), epochs);
                }
                case "banking77-few-shot" -> {
                    Path folder = datasets.folder("banking77");
                    yield new PeftBench.Split("banking77", shots,
                            PeftBench.fewShot(JsonlDataset.read(folder.resolve("train.jsonl")), shots, 7),
                            JsonlDataset.read(folder.resolve("test.jsonl")), fewShotEpochs);
                }
                case "sst2" -> {
                    Path folder = datasets.folder("sst2");
                    List<LabeledText> train = new ArrayList<>(JsonlDataset.read(folder.resolve("train.jsonl")));
                    Collections.shuffle(train, new Random(7));
                    yield new PeftBench.Split("sst2", null, train.subList(0, Math.min(sst2Rows, train.size())),
                            JsonlDataset.read(folder.resolve("test.jsonl")), sst2Epochs);
                }
                default -> throw new IllegalArgumentException("Unknown split '" + name
                        + "'; expected banking77, sst2 or banking77-few-shot");
            };
        }
    }

    /**
     * A kind as the benchmarks train it: its defaults, but LoRA on all six projections at rank 4 (on
     * Banking77, all six at rank 8 reached 93.7 % against 90.8 % for the service default of query and
     * value at rank 8; rank 4 keeps it under 1 % of the base's parameters), then {@code overrides}.
     */
    static DeltaConfig benchKind(String kind, Map<String, String> overrides) {
        if (kind.equals(DeltaKind.ADAPTER_FUSION.key())) {
            throw new IllegalArgumentException("adapter_fusion composes other domains' adapters: it trains in a domain "
                    + "configured with sources (see README, AdapterFusion across domains), not alone offline");
        }
        Map<String, String> settings = new LinkedHashMap<>(overrides);
        settings.put("kind", kind);
        if (kind.equals(DeltaKind.LORA.key())) {
            settings.putIfAbsent("targets", Projection.allKeys());
            settings.putIfAbsent("r", "4");
        }
        return DeltaConfigs.parse(settings);
    }

    /** The keys of the delta kinds that train alone (not AdapterFusion, which composes other domains'). */
    static final class KindKeys implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(DeltaKind.values()).filter(kind -> kind != DeltaKind.ADAPTER_FUSION)
                    .map(DeltaKind::key).iterator();
        }
    }

    /** {@code --datasets-dir}: where a named dataset's {@code train.jsonl} and {@code test.jsonl} are. */
    static final class DatasetsDir {
        @Option(names = "--datasets-dir", defaultValue = "${env:CONTINUA_DATASETS_DIR:-../shared/data}",
                description = "Where named datasets are (env CONTINUA_DATASETS_DIR, default ${DEFAULT-VALUE}; "
                        + "falls back to the bundled data/ folder).")
        private Path dir;

        Path folder(String name) {
            Path shared = dir.resolve(name);
            return require(Files.isDirectory(shared) ? shared : Path.of("data", name));
        }

        static Path require(Path folder) {
            if (!Files.isRegularFile(folder.resolve("train.jsonl")) || !Files.isRegularFile(folder.resolve("test.jsonl"))) {
                throw new IllegalArgumentException("No train.jsonl and test.jsonl in " + folder);
            }
            return folder;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Records per second through the ingest topology on an embedded broker.")
    static final class Ingest implements Callable<Integer> {
        @Option(names = "--records", defaultValue = "50000", description = "How many records (default ${DEFAULT-VALUE}).")
        private int records;

        @Option(names = "--data", defaultValue = "data/banking77/train.jsonl",
                description = "Texts to publish (default ${DEFAULT-VALUE}).")
        private Path data;

        @Mixin
        private WorkDir work;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() throws Exception {
            BenchResult result = new IngestBench(JsonlDataset.read(data), records, work.fresh("ingest"), System.err).run();
            report(result, json.dir);
            return 0;
        }
    }

    @Command(name = "registry", mixinStandardHelpOptions = true,
            description = "Uploads per second and alias-move-to-event latency of the registry on an embedded broker.")
    static final class Registry implements Callable<Integer> {
        @Option(names = "--uploads", defaultValue = "100", description = "How many uploads (default ${DEFAULT-VALUE}).")
        private int uploads;

        @Option(names = "--moves", defaultValue = "200", description = "How many alias moves (default ${DEFAULT-VALUE}).")
        private int moves;

        @Mixin
        private WorkDir work;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() throws Exception {
            report(new RegistryBench(uploads, moves, work.fresh("registry"), System.err).run(), json.dir);
            return 0;
        }
    }

    @Command(name = "serving", mixinStandardHelpOptions = true,
            description = {"Serving throughput and latency at concurrency 1, 8 and 32 against langchain4j's in-process "
                + "all-MiniLM-L6-v2 plus the same head in Java; latency during continuous swaps; swap duration."})
    static final class Serving implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "15", description = "Seconds per measurement (default ${DEFAULT-VALUE}).")
        private int seconds;

        @Option(names = "--data", defaultValue = "data/banking77/test.jsonl", description = "Texts (default ${DEFAULT-VALUE}).")
        private Path data;

        @Mixin
        private WorkDir work;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() throws Exception {
            report(new ServingBench(JsonlDataset.read(data), work.fresh("serving"), Duration.ofSeconds(seconds), System.err)
                    .run(), json.dir);
            return 0;
        }
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = "Freshness: seconds from publishing a batch to a registered version that includes it.")
    static final class Trainer implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "64", description = "Examples per batch (default ${DEFAULT-VALUE}).")
        private int batch;

        @Option(names = "--rounds", defaultValue = "10", description = "Batches per kind (default ${DEFAULT-VALUE}).")
        private int rounds;

        @Option(names = "--data", defaultValue = "data/banking77/train.jsonl", description = "Texts (default ${DEFAULT-VALUE}).")
        private Path data;

        @Mixin
        private WorkDir work;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() throws Exception {
            List<LabeledText> texts = new ArrayList<>(JsonlDataset.read(data));
            Collections.shuffle(texts, new Random(5));
            report(new TrainerBench(texts, batch, rounds, work.fresh("trainer"), System.err).run(), json.dir);
            return 0;
        }
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true,
            description = {"Rollouts on live traffic with every service on an embedded broker: requests at a steady rate, "
                + "each followed by its true label; a weak first version serves, a better one trained from more "
                + "examples is tried in shadow and promoted by live accuracy; then production is moved by hand to a "
                + "version with random weights and rolled back automatically. Prints the times and the bad version's "
                + "answers; --json writes rollout.json. About a minute on 2 cores."})
    static final class Rollout implements Callable<Integer> {
        @Mixin
        private DatasetsDir datasets;

        @Option(names = "--intents", defaultValue = "10", description = "Banking77 intents of the domain (default ${DEFAULT-VALUE}).")
        private int intents;

        @Option(names = "--weak-shots", defaultValue = "4",
                description = "Examples per intent the first version learns from (default ${DEFAULT-VALUE}).")
        private int weakShots;

        @Option(names = "--strong-shots", defaultValue = "40",
                description = "Further examples per intent the candidate learns from (default ${DEFAULT-VALUE}).")
        private int strongShots;

        @Option(names = "--rate", defaultValue = "20", description = "Prediction requests per second (default ${DEFAULT-VALUE}).")
        private double rate;

        @Option(names = "--min-labels", defaultValue = "100",
                description = "Live labels each side needs before a rollout decision (default ${DEFAULT-VALUE}).")
        private int minLabels;

        @Option(names = "--metrics-window", defaultValue = "PT5S",
                description = "Ingest's live-accuracy window (default ${DEFAULT-VALUE}; the service's default is a minute).")
        private Duration metricsWindow;

        @Mixin
        private WorkDir work;

        @Mixin
        private JsonOutput json;

        @Override
        public Integer call() throws Exception {
            Path folder = datasets.folder("banking77");
            report(new RolloutBench(JsonlDataset.read(folder.resolve("train.jsonl")),
                    JsonlDataset.read(folder.resolve("test.jsonl")), new RolloutBench.Settings(intents, weakShots,
                    strongShots, rate, minLabels, metricsWindow), work.fresh("rollout"), System.err).run(), json.dir);
            return 0;
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true,
            description = {"Every benchmark in turn (model, registry, ingest, trainer, serving, then the accuracy runs: "
                + "Banking77 lora, adapter and head, SST-2 lora and head when ../shared/data has it), one table at the end.",
                "The accuracy runs take most of the time (about 40 minutes on 2 cores)."})
    static final class All implements Callable<Integer> {
        @Mixin
        private JsonOutput json;

        @Option(names = "--skip-accuracy", description = "Leave out the long accuracy runs.")
        private boolean skipAccuracy;

        @Override
        public Integer call() throws Exception {
            List<String[]> runs = new ArrayList<>(List.of(new String[] {"model"}, new String[] {"registry"},
                    new String[] {"ingest"}, new String[] {"trainer"}, new String[] {"serving"}));
            if (!skipAccuracy) {
                for (String kind : List.of("lora", "adapter", "ia3", "loreft", "head")) {
                    runs.add(new String[] {"accuracy", "--dataset", "banking77", "--kind", kind});
                }
                if (Files.isDirectory(Path.of("../shared/data/sst2"))) {
                    runs.add(new String[] {"accuracy", "--dataset", "sst2", "--kind", "lora", "--epochs", "1"});
                    runs.add(new String[] {"accuracy", "--dataset", "sst2", "--kind", "head", "--epochs", "1"});
                }
            }
            List<BenchResult> results = new ArrayList<>();
            for (String[] run : runs) {
                System.err.println("== bench " + String.join(" ", run));
                results.add(collect(run));
            }
            BenchReport.print(results, System.out);
            if (json.dir != null) {
                BenchReport.writeJson(results, json.dir);
                System.out.println("Wrote " + results.size() + " files to " + json.dir);
            }
            return 0;
        }

        /** Runs one benchmark subcommand and keeps its result (its own table and JSON are skipped). */
        private static BenchResult collect(String[] arguments) {
            List<BenchResult> captured = new ArrayList<>();
            CAPTURE.set(captured::add);
            try {
                int status = new CommandLine(new BenchCommand()).execute(arguments);
                if (status != 0 || captured.isEmpty()) {
                    throw new IllegalStateException("bench " + String.join(" ", arguments) + " failed");
                }
                return captured.get(0);
            } finally {
                CAPTURE.remove();
            }
        }
    }

    @Command(name = "chaos", mixinStandardHelpOptions = true,
            description = {"The kill -9 suite: a 3-node Kafka cluster, a registry writer and replica, ingest, two "
                + "trainers and two serving replicas, each its own JVM, while examples stream in and clients ask "
                + "both replicas; each cycle kills one component with SIGKILL and starts it again. Prints what "
                + "the failure model promises: examples lost or trained twice, versions reused, unreadable "
                + "artifacts, failed predictions on surviving replicas (all must be 0), recovery times."})
    static final class Chaos implements Callable<Integer> {
        @Mixin
        private JsonOutput json;

        @Mixin
        private WorkDir work;

        @Option(names = "--cycles", defaultValue = "20", description = "Kills (default ${DEFAULT-VALUE}).")
        private int cycles;

        @Option(names = "--examples", defaultValue = "1000",
                description = "Labeled examples streamed, at most (default ${DEFAULT-VALUE}).")
        private int examples;

        @Option(names = "--rate", defaultValue = "10", description = "Examples per second (default ${DEFAULT-VALUE}).")
        private double rate;

        @Option(names = "--pause", defaultValue = "PT5S",
                description = "Shortest pause before a kill; the longest is twice this (default ${DEFAULT-VALUE}).")
        private Duration pause;

        @Option(names = "--settle", defaultValue = "PT5M",
                description = "How long to wait at the end for training to cover every example (default ${DEFAULT-VALUE}).")
        private Duration settle;

        @Option(names = "--seed", defaultValue = "1", description = "Which components die when (default ${DEFAULT-VALUE}).")
        private long seed;

        @Option(names = "--data", defaultValue = "${env:CONTINUA_BENCH_TEXTS:-data/banking77/train.jsonl}",
                description = "JSON Lines of {\"text\",\"label\"} to stream (default ${DEFAULT-VALUE}).")
        private Path data;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(data)) {
                throw new IllegalArgumentException("No dataset at " + data + " (set --data)");
            }
            ChaosBench.Settings settings = new ChaosBench.Settings(cycles, examples, rate, pause, pause.multipliedBy(2),
                    settle, seed);
            report(new ChaosBench(settings, ChaosBench.fewIntents(JsonlDataset.read(data)), work.fresh("chaos"),
                    System.err).run(), json.dir);
            return 0;
        }
    }

    /** {@code --json}: every benchmark can write its result as {@code <name>.json}. */
    static final class JsonOutput {
        @Option(names = "--json", description = "Write the result as <benchmark>.json into this directory.")
        Path dir;
    }

    /** {@code --data-dir}: benchmarks on the embedded broker keep their broker, state and blobs in a fresh folder. */
    static final class WorkDir {
        @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
                description = "The broker, state and blobs go under <data-dir>/bench (default ${DEFAULT-VALUE}).")
        private Path dataDir;

        Path fresh(String benchmark) {
            return dataDir.resolve("bench").resolve(benchmark + "-" + System.currentTimeMillis());
        }
    }

    /** Where a benchmark's result goes when {@code bench all} runs it, instead of being printed. */
    private static final ThreadLocal<Consumer<BenchResult>> CAPTURE = new ThreadLocal<>();

    static void report(BenchResult result, Path jsonDir) {
        if (CAPTURE.get() != null) {
            CAPTURE.get().accept(result);
            return;
        }
        BenchReport.print(List.of(result), System.out);
        if (jsonDir != null) {
            BenchReport.writeJson(List.of(result), jsonDir);
            System.out.println("Wrote " + jsonDir.resolve(result.name() + ".json"));
        }
    }
}
