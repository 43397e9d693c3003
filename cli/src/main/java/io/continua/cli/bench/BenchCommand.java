package io.continua.cli.bench;

import io.continua.peft.data.JsonlDataset;
import io.continua.peft.runtime.NativeCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code continua bench <name>}: measurements that print a table and, with --json, write JSON files. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark, print its figures and optionally write <name>.json.",
        subcommands = {BenchCommand.Model.class})
public final class BenchCommand {

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = {"Model core figures: parity of the TensorFlow encoder with ONNX Runtime, inference",
                "sentences/s through the DJL serving path at batch 1 and 32, and achieved GFLOP/s against",
                "a MatMul peak measured in the same run."})
    static final class Model implements Callable<Integer> {
        @Option(names = "--json", description = "Write model.json into this directory.")
        private Path jsonDir;

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
            BenchReport.print(List.of(result), System.out);
            if (jsonDir != null) {
                BenchReport.writeJson(List.of(result), jsonDir);
                System.out.println("Wrote " + jsonDir.resolve("model.json"));
            }
            return 0;
        }
    }
}
