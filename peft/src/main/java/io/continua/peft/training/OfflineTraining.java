package io.continua.peft.training;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.tokenizer.TextTokenizer;
import java.util.List;

/**
 * The offline reference a continual learner is measured against: one delta trained on a whole
 * training set for a number of epochs (shuffled batches, the learning rate decaying linearly to zero
 * after its warm-up), then scored on a test set.
 */
public final class OfflineTraining {
    /** Hears the step count and seconds so far, for progress output. */
    @FunctionalInterface
    public interface Progress {
        void step(int step, int totalSteps, double seconds);
    }

    /**
     * The trained delta, its scores on the test set, the seconds training took (scoring not
     * included), and the seconds scoring the test set took (tokenizing and classifying it in batches, the
     * inference graph already built).
     */
    public record Result(Delta delta, Evaluation evaluation, double trainSeconds, double scoreSeconds) {
    }

    /** Texts per batch when scoring the test set. */
    public static final int SCORING_BATCH = 64;

    private OfflineTraining() {
    }

    public static Result trainAndScore(PretrainedEncoder encoder, DeltaConfig config, TrainingConfig training,
                                       List<LabeledText> train, List<LabeledText> test, int epochs,
                                       Progress progress) {
        List<String> labels = train.stream().map(LabeledText::label).distinct().sorted().toList();
        Delta initial = Delta.initialize(config, encoder.architecture(), labels, training.seed());
        int totalSteps = stepsPerEpoch(train.size(), training) * epochs;
        EncoderRuntime runtime = EncoderRuntime.of(encoder);
        try (TextTokenizer tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH)) {
            DeltaTrainer trainer = DeltaTrainer.start(TrainingGraph.forDelta(runtime, config), tokenizer, initial,
                    training.withDecaySteps(totalSteps));
            long started = System.nanoTime();
            trainer.fit(train, epochs, step -> progress.step(step, totalSteps, (System.nanoTime() - started) / 1e9));
            double trainSeconds = (System.nanoTime() - started) / 1e9;
            Delta trained = trainer.snapshot();
            Evaluator evaluator = new Evaluator(runtime, tokenizer, SCORING_BATCH);
            // Once first, so that building the kind's inference graph is not counted as scoring.
            evaluator.evaluate(trained, test.subList(0, Math.min(SCORING_BATCH, test.size())));
            long scoring = System.nanoTime();
            Evaluation evaluation = evaluator.evaluate(trained, test);
            return new Result(trained, evaluation, trainSeconds, (System.nanoTime() - scoring) / 1e9);
        }
    }

    public static int stepsPerEpoch(int examples, TrainingConfig training) {
        return (examples + training.batchSize() - 1) / training.batchSize();
    }
}
