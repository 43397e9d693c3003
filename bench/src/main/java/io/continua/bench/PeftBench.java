package io.continua.bench;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.training.OfflineTraining;
import io.continua.peft.training.TrainingConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Every delta kind trained offline on each split and scored on its test set: accuracy, macro-F1,
 * trainable parameters (the head included) against the frozen base, training time, and how many
 * test texts per second the kind's inference graph classifies. One table, and {@code peft.json}.
 */
final class PeftBench {
    /** A training set and the test set it is scored on; {@code shots} is null for the full data. */
    record Split(String dataset, Integer shots, List<LabeledText> train, List<LabeledText> test, int epochs) {
        String describe() {
            return dataset + (shots == null ? "" : " " + shots + "-shot");
        }
    }

    record Row(String kind, String dataset, Integer shots, double accuracy, double macroF1, long trainableParams,
               double trainS, double servePerS) {
        Map<String, Object> json() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kind", kind);
            row.put("dataset", dataset);
            row.put("shots", shots);
            row.put("accuracy", accuracy);
            row.put("macro_f1", macroF1);
            row.put("trainable_params", trainableParams);
            row.put("train_s", trainS);
            row.put("serve_per_s", servePerS);
            return row;
        }
    }

    private final List<Split> splits;
    private final List<DeltaConfig> kinds;
    private final PrintStream progress;

    /** Each kind trains with the default settings, at its own default learning rate. */
    PeftBench(List<Split> splits, List<DeltaConfig> kinds, PrintStream progress) {
        this.splits = List.copyOf(splits);
        this.kinds = List.copyOf(kinds);
        this.progress = progress;
    }

    /** The rows, and the frozen base's parameter count they are compared with. */
    record Report(List<Row> rows, long baseParameters) {
    }

    Report run() {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        List<Row> rows = new ArrayList<>();
        int done = 0;
        for (Split split : splits) {
            for (DeltaConfig kind : kinds) {
                progress.printf("peft: [%d/%d] %s on %s, %d training rows, %d epochs%n", ++done,
                        splits.size() * kinds.size(), kind.hyperparameters(), split.describe(), split.train().size(),
                        split.epochs());
                OfflineTraining.Result result = OfflineTraining.trainAndScore(encoder, kind, TrainingConfig.defaults(kind),
                        split.train(),
                        split.test(), split.epochs(), (step, total, seconds) -> {
                            if (step % 200 == 0) {
                                progress.printf("peft: step %d/%d, %.0f s%n", step, total, seconds);
                            }
                        });
                Row row = new Row(kind.kind().key(), split.dataset(), split.shots(), result.evaluation().accuracy(),
                        result.evaluation().macroF1(), result.delta().trainableParameters(), result.trainSeconds(),
                        split.test().size() / result.scoreSeconds());
                progress.printf("peft: %s on %s: accuracy %.3f, macro-F1 %.3f, %,d parameters, %.0f s, %.0f texts/s%n",
                        row.kind(), split.describe(), row.accuracy(), row.macroF1(), row.trainableParams(),
                        row.trainS(), row.servePerS());
                rows.add(row);
            }
        }
        return new Report(rows, encoder.weights().parameterCount());
    }

    /**
     * {@code shots} rows of every label (all of a label's rows when it has fewer), picked by a
     * seeded shuffle, in the shuffled order.
     */
    static List<LabeledText> fewShot(List<LabeledText> train, int shots, long seed) {
        List<LabeledText> shuffled = new ArrayList<>(train);
        Collections.shuffle(shuffled, new Random(seed));
        Map<String, Integer> taken = new HashMap<>();
        List<LabeledText> chosen = new ArrayList<>();
        for (LabeledText row : shuffled) {
            if (taken.merge(row.label(), 1, Integer::sum) <= shots) {
                chosen.add(row);
            }
        }
        return chosen;
    }

    /** The rows as a Markdown table, parameters also as a share of the frozen base's. */
    static String table(Report report) {
        List<Row> rows = report.rows();
        long baseParameters = report.baseParameters();
        StringBuilder table = new StringBuilder(
                "| dataset | kind | accuracy | macro-F1 | trainable parameters | % of base | train s | texts/s |\n"
                        + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Row row : rows) {
            table.append(String.format(Locale.ROOT, "| %s | `%s` | %.3f | %.3f | %,d | %.3f %% | %.0f | %.0f |%n",
                    row.dataset() + (row.shots() == null ? "" : ", " + row.shots() + "-shot"), row.kind(),
                    row.accuracy(), row.macroF1(), row.trainableParams(),
                    100.0 * row.trainableParams() / baseParameters, row.trainS(), row.servePerS()));
        }
        return table.toString();
    }
}
