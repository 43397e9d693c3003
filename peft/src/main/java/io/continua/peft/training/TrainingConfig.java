package io.continua.peft.training;

/**
 * How a delta is optimized: AdamW (decoupled weight decay) with a linear learning-rate warm-up,
 * gradient clipping by global norm, and a seed that fixes initialization, batch order and dropout.
 *
 * @param learningRate     for the kind's own tensors (LoRA, adapter)
 * @param headLearningRate for the classifier head, which starts from scratch and wants a larger step
 */
public record TrainingConfig(double learningRate, double headLearningRate, double weightDecay, double maxGradNorm,
                             int warmupSteps, int batchSize, long seed) {
    public TrainingConfig {
        if (!(learningRate > 0) || !(headLearningRate > 0)) {
            throw new IllegalArgumentException("Learning rates must be positive");
        }
        if (weightDecay < 0 || !(maxGradNorm > 0) || warmupSteps < 0 || batchSize < 1) {
            throw new IllegalArgumentException("Invalid training configuration " + this);
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(2e-3, 1e-2, 0.01, 1.0, 20, 32, 42);
    }

    public TrainingConfig withSeed(long newSeed) {
        return new TrainingConfig(learningRate, headLearningRate, weightDecay, maxGradNorm, warmupSteps, batchSize,
                newSeed);
    }

    public TrainingConfig withBatchSize(int newBatchSize) {
        return new TrainingConfig(learningRate, headLearningRate, weightDecay, maxGradNorm, warmupSteps,
                newBatchSize, seed);
    }

    public TrainingConfig withLearningRates(double rate, double headRate) {
        return new TrainingConfig(rate, headRate, weightDecay, maxGradNorm, warmupSteps, batchSize, seed);
    }

    /** The warm-up factor of step {@code step} (1-based): linear up to 1 over the warm-up steps. */
    public double warmup(long step) {
        return warmupSteps == 0 ? 1 : Math.min(1.0, (double) step / warmupSteps);
    }
}
