package io.continua.bench;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.training.Evaluation;
import io.continua.peft.training.OfflineTraining;
import io.continua.peft.training.TrainingConfig;
import java.io.PrintStream;
import java.util.List;

/** Trains one delta kind on a whole training set offline and scores it on the test set. */
final class AccuracyBench {
    private final String dataset;
    private final List<LabeledText> train;
    private final List<LabeledText> test;
    private final DeltaConfig config;
    private final TrainingConfig training;
    private final int epochs;
    private final PrintStream progress;

    AccuracyBench(String dataset, List<LabeledText> train, List<LabeledText> test, DeltaConfig config,
                  TrainingConfig training, int epochs, PrintStream progress) {
        this.dataset = dataset;
        this.train = train;
        this.test = test;
        this.config = config;
        this.training = training;
        this.epochs = epochs;
        this.progress = progress;
    }

    BenchResult run() {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        long labels = train.stream().map(LabeledText::label).distinct().count();
        progress.printf("accuracy: %s %s, %d labels, %d training rows, %d epochs of %d steps%n", dataset,
                config.hyperparameters(), labels, train.size(), epochs,
                OfflineTraining.stepsPerEpoch(train.size(), training));
        OfflineTraining.Result result = OfflineTraining.trainAndScore(encoder, config, training, train, test, epochs,
                (step, total, seconds) -> {
                    if (step % 50 == 0) {
                        progress.printf("accuracy: step %d/%d, %.0f s%n", step, total, seconds);
                    }
                });
        Evaluation evaluation = result.evaluation();
        Delta trained = result.delta();
        return new BenchResult("accuracy-" + dataset + "-" + config.kind().key())
                .put("dataset", dataset)
                .put("kind", config.kind().key())
                .put("accuracy", evaluation.accuracy())
                .put("macro_f1", evaluation.macroF1())
                .put("train_s", result.trainSeconds())
                .put("trainable_params", trained.trainableParameters())
                .put("delta_params", trained.ownParameters())
                .put("epochs", epochs)
                .put("hyperparameters", config.hyperparameters().toString())
                .put("train_rows", train.size())
                .put("test_rows", test.size());
    }
}
