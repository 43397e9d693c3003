package io.continua.trainer;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.KindSearch;
import io.continua.peft.training.DeltaTrainer;
import io.continua.peft.training.Evaluation;
import io.continua.peft.training.Evaluator;
import io.continua.peft.training.TrainingConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a domain's {@link KindSearch}: every candidate trained from scratch for its share of the
 * budget on the same examples (shuffled batches, cycling), then scored on the same holdout: accuracy,
 * trainable parameters and milliseconds per text (after a warm-up, so that building a kind's graph is
 * not counted). The winner's trainer goes on as the domain's.
 */
final class KindSearchRun {
    private static final Logger log = LoggerFactory.getLogger(KindSearchRun.class);
    private static final int WARM_UP_TEXTS = 8;

    /** The choice, every candidate's scores in order, and the chosen candidate's trainer. */
    record Result(KindSearch.Scored choice, List<KindSearch.Scored> scored, DeltaTrainer winner) {
    }

    private KindSearchRun() {
    }

    /**
     * @param trainingFor each candidate's training settings (its kind's default learning rate unless the domain
     *                    sets one)
     */
    static Result run(String domain, KindSearch search, DomainModel model,
                      Function<DeltaConfig, TrainingConfig> trainingFor, List<LabeledText> examples,
                      List<LabeledText> holdout, List<String> labels, Runnable check) {
        Evaluator evaluator = model.evaluator();
        List<KindSearch.Scored> scored = new ArrayList<>();
        List<DeltaTrainer> trainers = new ArrayList<>();
        for (DeltaConfig candidate : search.candidates()) {
            TrainingConfig training = trainingFor.apply(candidate);
            DeltaTrainer trainer = DeltaTrainer.start(model.training(candidate), model.tokenizer(),
                    Delta.initialize(candidate, model.encoder().architecture(), labels, training.seed()), training);
            Random random = new Random(training.seed());
            List<LabeledText> order = new ArrayList<>(examples);
            int next = order.size();
            for (int step = 0; step < search.stepsPerCandidate(); step++) {
                check.run();
                List<LabeledText> batch = new ArrayList<>(training.batchSize());
                while (batch.size() < Math.min(training.batchSize(), order.size())) {
                    if (next == order.size()) {
                        Collections.shuffle(order, random);
                        next = 0;
                    }
                    batch.add(order.get(next++));
                }
                trainer.step(batch);
            }
            Delta trained = trainer.snapshot();
            evaluator.evaluate(trained, holdout.subList(0, Math.min(WARM_UP_TEXTS, holdout.size())));
            long started = System.nanoTime();
            Evaluation evaluation = evaluator.evaluate(trained, holdout);
            double msPerText = (System.nanoTime() - started) / 1e6 / holdout.size();
            KindSearch.Scored result = new KindSearch.Scored(candidate, evaluation.accuracy(),
                    trained.trainableParameters(), msPerText);
            log.info("Domain {}: kind auto candidate {} after {} steps", domain, result.describe(),
                    search.stepsPerCandidate());
            scored.add(result);
            trainers.add(trainer);
        }
        KindSearch.Scored choice = search.choose(scored);
        log.info("Domain {}: kind auto chose {} of {} candidates (holdout of {})", domain, choice.describe(),
                scored.size(), holdout.size());
        return new Result(choice, scored, trainers.get(scored.indexOf(choice)));
    }
}
