package io.continua.peft.training;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaTensors;
import io.continua.peft.graph.GraphEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Scores a delta on labeled texts: accuracy, macro-F1, loss and per-class accuracy. */
public final class Evaluator {
    private final GraphEncoder encoder;
    private final TextTokenizer tokenizer;
    private final EncoderArchitecture architecture;
    private final int batchSize;

    public Evaluator(GraphEncoder encoder, TextTokenizer tokenizer, EncoderArchitecture architecture, int batchSize) {
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.architecture = architecture;
        this.batchSize = batchSize;
    }

    /** The predicted label index of every text, in order. */
    public int[] predict(Delta delta, List<String> texts) {
        DeltaTensors tensors = delta.tensors(architecture);
        int[] predictions = new int[texts.size()];
        for (int start = 0; start < texts.size(); start += batchSize) {
            List<String> batch = texts.subList(start, Math.min(start + batchSize, texts.size()));
            float[][] probabilities = encoder.run(tokenizer.encode(batch), tensors).probabilities();
            for (int row = 0; row < probabilities.length; row++) {
                predictions[start + row] = argmax(probabilities[row]);
            }
        }
        return predictions;
    }

    public Evaluation evaluate(Delta delta, List<LabeledText> examples) {
        List<String> labels = delta.labels();
        DeltaTensors tensors = delta.tensors(architecture);
        Map<String, int[]> counts = new TreeMap<>();
        int correct = 0;
        double lossSum = 0;
        int lossCount = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<LabeledText> batch = examples.subList(start, Math.min(start + batchSize, examples.size()));
            float[][] probabilities = encoder.run(tokenizer.encode(batch.stream().map(LabeledText::text).toList()),
                    tensors).probabilities();
            for (int row = 0; row < batch.size(); row++) {
                String truth = batch.get(row).label();
                String predicted = labels.get(argmax(probabilities[row]));
                int truthIndex = labels.indexOf(truth);
                if (truthIndex >= 0) {
                    lossSum -= Math.log(Math.max(probabilities[row][truthIndex], 1e-12));
                    lossCount++;
                }
                // counts per class: [true positives, support, predicted]
                counts.computeIfAbsent(truth, key -> new int[3])[1]++;
                counts.computeIfAbsent(predicted, key -> new int[3])[2]++;
                if (predicted.equals(truth)) {
                    correct++;
                    counts.get(truth)[0]++;
                }
            }
        }
        return new Evaluation(examples.size(), examples.isEmpty() ? Double.NaN : (double) correct / examples.size(),
                macroF1(counts), lossCount == 0 ? Double.NaN : lossSum / lossCount, perClassAccuracy(counts));
    }

    /** Mean F1 over the classes present in the truth. */
    private static double macroF1(Map<String, int[]> counts) {
        List<Double> scores = new ArrayList<>();
        counts.forEach((label, count) -> {
            if (count[1] > 0) {
                double precision = count[2] == 0 ? 0 : (double) count[0] / count[2];
                double recall = (double) count[0] / count[1];
                scores.add(precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
            }
        });
        return scores.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static Map<String, Double> perClassAccuracy(Map<String, int[]> counts) {
        Map<String, Double> accuracy = new LinkedHashMap<>();
        counts.forEach((label, count) -> {
            if (count[1] > 0) {
                accuracy.put(label, (double) count[0] / count[1]);
            }
        });
        return accuracy;
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
