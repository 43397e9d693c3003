package io.continua.peft.training;

import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.Settings;
import java.util.Map;
import java.util.Set;

/**
 * How a delta is optimized: AdamW (decoupled weight decay) with a linear learning-rate warm-up,
 * optionally a linear decay to zero, gradient clipping by global norm, and a seed that fixes
 * initialization, batch order and dropout.
 *
 * @param learningRate     for the kind's own tensors (LoRA, adapter)
 * @param headLearningRate for the classifier head, which starts from scratch and wants a larger step
 * @param decaySteps       steps over which the rate decays linearly to zero; 0 keeps it constant
 *                         (continual training has no end)
 */
public record TrainingConfig(double learningRate, double headLearningRate, double weightDecay, double maxGradNorm,
                             int warmupSteps, long decaySteps, int batchSize, long seed) {
    public TrainingConfig {
        if (!(learningRate > 0) || !(headLearningRate > 0)) {
            throw new IllegalArgumentException("Learning rates must be positive");
        }
        if (weightDecay < 0 || !(maxGradNorm > 0) || warmupSteps < 0 || decaySteps < 0 || batchSize < 1) {
            throw new IllegalArgumentException("Invalid training configuration " + this);
        }
    }

    /** The training settings a domain's configuration may carry. */
    public static final Set<String> SETTINGS = Set.of("learning_rate", "head_learning_rate", "batch_size", "seed");
    private static final int MAX_BATCH_SIZE = 1024;

    /**
     * This configuration with the training settings found in {@code settings} ({@link #SETTINGS};
     * others are ignored), each checked: rates finite in (0, 1], a batch of 1 to 1024, an integer seed.
     * A bad one is refused with an {@link IllegalArgumentException} that names it.
     */
    public TrainingConfig withSettings(Map<String, String> settings) {
        double rate = Settings.number(settings, "learning_rate", learningRate);
        double headRate = Settings.number(settings, "head_learning_rate", headLearningRate);
        int batch = Settings.integer(settings, "batch_size", batchSize);
        checkRate("learning_rate", rate);
        checkRate("head_learning_rate", headRate);
        if (batch < 1 || batch > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch_size must be in 1.." + MAX_BATCH_SIZE + ", got " + batch);
        }
        return new TrainingConfig(rate, headRate, weightDecay, maxGradNorm, warmupSteps, decaySteps, batch,
                Settings.integer(settings, "seed", seed));
    }

    private static void checkRate(String name, double rate) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], got " + rate);
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(DeltaConfig.DEFAULT_LEARNING_RATE, 1e-2, 0.01, 1.0, 20, 0, 32, 42);
    }

    /** The defaults, the kind's tensors at the kind's own default rate. */
    public static TrainingConfig defaults(DeltaConfig kind) {
        TrainingConfig defaults = defaults();
        return defaults.withLearningRates(kind.learningRate(), defaults.headLearningRate());
    }

    public TrainingConfig withSeed(long newSeed) {
        return new TrainingConfig(learningRate, headLearningRate, weightDecay, maxGradNorm, warmupSteps, decaySteps,
                batchSize, newSeed);
    }

    public TrainingConfig withBatchSize(int newBatchSize) {
        return new TrainingConfig(learningRate, headLearningRate, weightDecay, maxGradNorm, warmupSteps, decaySteps,
                newBatchSize, seed);
    }

    public TrainingConfig withLearningRates(double rate, double headRate) {
        return new TrainingConfig(rate, headRate, weightDecay, maxGradNorm, warmupSteps, decaySteps, batchSize, seed);
    }

    public TrainingConfig withDecaySteps(long steps) {
        return new TrainingConfig(learningRate, headLearningRate, weightDecay, maxGradNorm, warmupSteps, steps,
                batchSize, seed);
    }

    /** The factor applied to the learning rates at step {@code step} (1-based): warm-up, then decay if any. */
    public double schedule(long step) {
        double warmup = warmupSteps == 0 ? 1 : Math.min(1.0, (double) step / warmupSteps);
        double decay = decaySteps == 0 ? 1 : Math.max(0.0, 1.0 - (double) Math.max(0, step - warmupSteps)
                / Math.max(1, decaySteps - warmupSteps));
        return warmup * decay;
    }
}
