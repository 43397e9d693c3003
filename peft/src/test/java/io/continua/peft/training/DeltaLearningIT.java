package io.continua.peft.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.Banking77;
import io.continua.peft.data.LabeledText;
import io.continua.peft.TestDeltas;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.Ia3Config;
import io.continua.peft.delta.LlamaAdapterConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.delta.LoreftConfig;
import io.continua.peft.delta.PrefixTuningConfig;
import io.continua.peft.delta.PromptTuningConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.tokenizer.TextTokenizer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind with tensors of its own learns five Banking77 intents from 30 examples each, and its tensors move. */
class DeltaLearningIT {
    private static final int MAX_STEPS = 60;

    static List<DeltaConfig> kinds() {
        return List.of(LoraConfig.defaults(), Ia3Config.defaults(), LoreftConfig.defaults(),
                PromptTuningConfig.defaults(), PrefixTuningConfig.defaults(), LlamaAdapterConfig.defaults(),
                TestDeltas.fusion(2, AdapterConfig.Placement.PFEIFFER, 16, 16));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void reachesNinetyPercentOnHeldOutRowsWithinABoundedNumberOfSteps(DeltaConfig kind) {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        List<String> intents = Banking77.intents(5);
        Set<String> chosen = new HashSet<>(intents);
        List<LabeledText> train = Banking77.subset(Banking77.train(), chosen, 30);
        List<LabeledText> test = Banking77.subset(Banking77.test(), chosen, Integer.MAX_VALUE);
        assertThat(train).hasSize(150);
        assertThat(test).hasSize(200);

        TrainingConfig config = TrainingConfig.defaults().withBatchSize(16);
        EncoderRuntime runtime = EncoderRuntime.of(encoder);
        try (TextTokenizer tokenizer = new TextTokenizer(encoder.tokenizerJson(), 128)) {
            Delta initial = TestDeltas.initialize(kind, encoder.architecture(), intents, 7);
            DeltaTrainer trainer = DeltaTrainer.start(TrainingGraph.forDelta(runtime, initial.config()), tokenizer,
                    initial, config);
            long started = System.nanoTime();
            int epochs = MAX_STEPS * config.batchSize() / train.size();
            double loss = trainer.fit(train, epochs, step -> { });
            Evaluation evaluation = new Evaluator(runtime, tokenizer, 64).evaluate(trainer.snapshot(), test);
            Delta trained = trainer.snapshot();
            System.out.printf("%s on 5 intents: %d steps in %.1f s, last-epoch loss %.3f, test accuracy %.3f, "
                            + "macro-F1 %.3f%n", kind.kind().key(), trainer.steps(), (System.nanoTime() - started) / 1e9,
                    loss, evaluation.accuracy(), evaluation.macroF1());

            int batchesPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
            assertThat(trainer.steps()).as("one step per batch").isEqualTo((long) epochs * batchesPerEpoch)
                    .isLessThanOrEqualTo(MAX_STEPS);
            assertThat(evaluation.accuracy()).isGreaterThanOrEqualTo(0.90);
            Map<String, long[]> shapes = kind.ownShapes(encoder.architecture());
            Map<String, float[]> constrained = new HashMap<>();
            for (String tensor : shapes.keySet()) {
                assertThat(trained.parameter(tensor).values()).as("%s learned", tensor)
                        .isNotEqualTo(initial.parameter(tensor).values());
                constrained.put(tensor, trained.parameter(tensor).values().clone());
            }
            kind.constrain(constrained, shapes);
            for (String tensor : shapes.keySet()) {
                assertThat(constrained.get(tensor)).as("%s kept its kind's constraint while training", tensor)
                        .containsExactly(trained.parameter(tensor).values(), Offset.offset(1e-4f));
            }
        }
    }
}
