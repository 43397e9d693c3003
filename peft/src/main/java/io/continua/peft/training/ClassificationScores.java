package io.continua.peft.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Accuracy, macro-F1 and per-class accuracy from (truth, prediction) pairs. Not thread-safe. */
public final class ClassificationScores {
    /** Per class: true positives, support (truth count), predicted count. */
    private final Map<String, int[]> counts = new TreeMap<>();
    private int total;
    private int correct;

    public void add(String truth, String predicted) {
        total++;
        counts.computeIfAbsent(truth, key -> new int[3])[1]++;
        counts.computeIfAbsent(predicted, key -> new int[3])[2]++;
        if (truth.equals(predicted)) {
            correct++;
            counts.get(truth)[0]++;
        }
    }

    public int total() {
        return total;
    }

    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** Mean F1 over the classes present in the truth. */
    public double macroF1() {
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

    public Map<String, Double> perClassAccuracy() {
        Map<String, Double> accuracy = new LinkedHashMap<>();
        counts.forEach((label, count) -> {
            if (count[1] > 0) {
                accuracy.put(label, (double) count[0] / count[1]);
            }
        });
        return accuracy;
    }
}
