package io.continua.trainer;

import io.continua.peft.training.Evaluation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a candidate compares with the champion: on the holdout set, and on a sample of older
 * (replayed) examples, where a drop is forgetting.
 */
record Candidate(Evaluation holdout, Evaluation championHoldout, double replayAccuracy, double championReplayAccuracy,
                 double trainLoss, int examplesTrained) {

    double forgetting() {
        return Double.isNaN(replayAccuracy) || Double.isNaN(championReplayAccuracy) ? 0
                : Math.max(0, championReplayAccuracy - replayAccuracy);
    }

    /** Passes when no worse than the champion by more than the margin, and forgetting within bounds. */
    boolean passes(double margin, double maxForgetting) {
        boolean holdoutOk = holdout.examples() == 0 || championHoldout == null
                || holdout.accuracy() >= championHoldout.accuracy() - margin;
        return holdoutOk && forgetting() <= maxForgetting;
    }

    Map<String, Double> metrics() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (holdout.examples() > 0) {
            metrics.put("holdout_accuracy", holdout.accuracy());
            metrics.put("holdout_macro_f1", holdout.macroF1());
            metrics.put("holdout_loss", holdout.loss());
            holdout.perClassAccuracy().forEach((label, accuracy) -> metrics.put("holdout_accuracy." + label, accuracy));
        }
        metrics.put("holdout_size", (double) holdout.examples());
        if (championHoldout != null && championHoldout.examples() > 0) {
            metrics.put("champion_holdout_accuracy", championHoldout.accuracy());
        }
        if (!Double.isNaN(replayAccuracy)) {
            metrics.put("replay_accuracy", replayAccuracy);
        }
        metrics.put("forgetting", forgetting());
        metrics.put("train_loss", trainLoss);
        metrics.put("examples_trained", (double) examplesTrained);
        return metrics;
    }
}
