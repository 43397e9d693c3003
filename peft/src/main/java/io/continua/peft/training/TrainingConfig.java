package io.continua.peft.training;

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

    public static TrainingConfig defaults() {
        return new TrainingConfig(2e-3, 1e-2, 0.01, 1.0, 20, 0, 32, 42);
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
