package io.continua.peft.training;

import io.continua.peft.delta.Ia3Piece;
import io.continua.peft.graph.DeltaLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019) over a delta's tensors, with
 * global-norm gradient clipping and learning-rate warm-up. Its moments are the per-domain
 * optimizer state: they are saved with the delta and restored to resume training. Biases and the
 * head's bias are not decayed.
 */
public final class AdamW {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final TrainingConfig config;
    private final Map<String, float[]> firstMoments;
    private final Map<String, float[]> secondMoments;
    private long step;

    public AdamW(TrainingConfig config) {
        this(config, 0, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** Resumes from saved state. */
    public AdamW(TrainingConfig config, OptimizerState state) {
        this(config, state.step(), state.firstMoments(), state.secondMoments());
    }

    private AdamW(TrainingConfig config, long step, Map<String, float[]> firstMoments,
                  Map<String, float[]> secondMoments) {
        this.config = config;
        this.step = step;
        this.firstMoments = copy(firstMoments);
        this.secondMoments = copy(secondMoments);
    }

    /**
     * One update of {@code parameters} (in place) from {@code gradients}; returns the gradients'
     * global norm before clipping.
     */
    public double apply(Map<String, float[]> parameters, Map<String, float[]> gradients) {
        return apply(parameters, gradients, 1.0);
    }

    /** As {@link #apply(Map, Map)}, with the scheduled learning rates scaled by {@code rateScale}. */
    public double apply(Map<String, float[]> parameters, Map<String, float[]> gradients, double rateScale) {
        if (!(rateScale > 0 && rateScale <= 1)) {
            throw new IllegalArgumentException("A learning-rate scale must be in (0, 1], got " + rateScale);
        }
        step++;
        double norm = globalNorm(gradients);
        double clip = norm > config.maxGradNorm() ? config.maxGradNorm() / norm : 1.0;
        double schedule = config.schedule(step) * rateScale;
        double correction1 = 1 - Math.pow(BETA1, step);
        double correction2 = 1 - Math.pow(BETA2, step);
        gradients.forEach((name, gradient) -> {
            float[] values = parameters.get(name);
            float[] m = moment(firstMoments, name, values.length);
            float[] v = moment(secondMoments, name, values.length);
            boolean head = name.equals(DeltaLayout.HEAD_WEIGHT) || name.equals(DeltaLayout.HEAD_BIAS);
            double rate = (head ? config.headLearningRate() : config.learningRate()) * schedule;
            double decay = decayed(name) ? config.weightDecay() : 0;
            for (int i = 0; i < values.length; i++) {
                double g = gradient[i] * clip;
                m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g);
                v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g * g);
                double update = (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + EPSILON);
                values[i] = (float) (values[i] - rate * (update + decay * values[i]));
            }
        });
        return norm;
    }

    public long step() {
        return step;
    }

    /** A copy of the state, to save with the delta. */
    public OptimizerState state() {
        return new OptimizerState(step, copy(firstMoments), copy(secondMoments));
    }

    /** The head gained labels ({@code before} to {@code after} columns): new columns' moments start at zero. */
    public void growHead(int hidden, int before, int after) {
        for (Map<String, float[]> moments : List.of(firstMoments, secondMoments)) {
            float[] weight = moments.get(DeltaLayout.HEAD_WEIGHT);
            if (weight != null) {
                float[] grown = new float[hidden * after];
                for (int row = 0; row < hidden; row++) {
                    System.arraycopy(weight, row * before, grown, row * after, before);
                }
                moments.put(DeltaLayout.HEAD_WEIGHT, grown);
            }
            float[] bias = moments.get(DeltaLayout.HEAD_BIAS);
            if (bias != null) {
                moments.put(DeltaLayout.HEAD_BIAS, Arrays.copyOf(bias, after));
            }
        }
    }

    /**
     * Biases are not decayed, nor IA³'s rescaling vectors: they start at one, where they leave the base as it
     * is, and decay would pull them toward zero instead.
     */
    private static boolean decayed(String name) {
        return !name.endsWith("bias") && !Ia3Piece.isVector(name);
    }

    private static float[] moment(Map<String, float[]> moments, String name, int length) {
        float[] moment = moments.computeIfAbsent(name, key -> new float[length]);
        if (moment.length != length) {
            throw new IllegalStateException("Optimizer state of " + name + " has " + moment.length
                    + " entries for " + length + " parameters");
        }
        return moment;
    }

    static double globalNorm(Map<String, float[]> gradients) {
        double sum = 0;
        for (float[] gradient : gradients.values()) {
            for (float g : gradient) {
                sum += (double) g * g;
            }
        }
        return Math.sqrt(sum);
    }

    private static Map<String, float[]> copy(Map<String, float[]> moments) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        moments.forEach((name, values) -> copy.put(name, Arrays.copyOf(values, values.length)));
        return copy;
    }
}
