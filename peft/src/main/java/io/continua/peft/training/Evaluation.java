package io.continua.peft.training;

import java.util.Map;

/**
 * How a delta does on a set of labeled texts.
 *
 * @param loss mean cross-entropy over the examples whose label the delta knows (NaN if none)
 */
public record Evaluation(int examples, double accuracy, double macroF1, double loss,
                         Map<String, Double> perClassAccuracy) {
    public Evaluation {
        perClassAccuracy = Map.copyOf(perClassAccuracy);
    }
}
