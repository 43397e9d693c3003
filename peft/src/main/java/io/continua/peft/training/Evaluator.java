package io.continua.peft.training;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.graph.DeltaStack;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.ForwardGraph;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.tokenizer.TextTokenizer;
import java.util.List;

/** Scores a delta on labeled texts: accuracy, macro-F1, loss and per-class accuracy. */
public final class Evaluator {
    private final EncoderRuntime runtime;
    private final TextTokenizer tokenizer;
    private final int batchSize;

    public Evaluator(EncoderRuntime runtime, TextTokenizer tokenizer, int batchSize) {
        this.runtime = runtime;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    public Evaluation evaluate(Delta delta, List<LabeledText> examples) {
        List<String> labels = delta.labels();
        ForwardGraph graph = runtime.forward(delta.config().layout());
        // Stacked once: every batch feeds the same delta tensors.
        DeltaStack stack = DeltaStack.of(delta.config().layout(), runtime.architecture(), delta.inputs());
        ClassificationScores scores = new ClassificationScores();
        double lossSum = 0;
        int lossCount = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<LabeledText> batch = examples.subList(start, Math.min(start + batchSize, examples.size()));
            float[][] probabilities = graph.run(PackedBatch.of(tokenizer.tokenize(
                    batch.stream().map(LabeledText::text).toList()), delta.config().layout().virtualTokens()),
                    stack).probabilities();
            for (int row = 0; row < batch.size(); row++) {
                String truth = batch.get(row).label();
                int truthIndex = labels.indexOf(truth);
                if (truthIndex >= 0) {
                    lossSum -= Math.log(Math.max(probabilities[row][truthIndex], 1e-12));
                    lossCount++;
                }
                scores.add(truth, labels.get(argmax(probabilities[row])));
            }
        }
        return new Evaluation(examples.size(), scores.accuracy(), scores.macroF1(),
                lossCount == 0 ? Double.NaN : lossSum / lossCount, scores.perClassAccuracy());
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
