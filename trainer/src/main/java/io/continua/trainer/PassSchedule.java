package io.continua.trainer;

import java.util.stream.IntStream;

/**
 * The stream's learning-rate schedule, applied on top of the optimizer's warm-up: a step's rates are
 * scaled by the share of its examples' target passes still to do, never below a floor. New examples
 * train at the full rate; as the examples a domain keeps are trained on again, the rate falls toward
 * the floor the way an offline run's linear decay does over its epochs, and it rises again when new
 * examples come, where a decay by step count would leave a long-running stream unable to learn.
 */
record PassSchedule(int targetPasses, double floor) {
    PassSchedule {
        if (targetPasses < 1 || !(floor > 0 && floor <= 1)) {
            throw new IllegalArgumentException("target passes must be at least 1 and the floor in (0, 1], got "
                    + targetPasses + " and " + floor);
        }
    }

    /** The scale for a batch whose examples had been trained on {@code timesTrainedBefore} times each. */
    double scale(IntStream timesTrainedBefore) {
        double owed = timesTrainedBefore.mapToDouble(before -> Math.max(0, targetPasses - before) / (double) targetPasses)
                .average().orElse(1.0);
        return Math.max(floor, owed);
    }
}
