package io.continua.peft.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.peft.ParitySentences;
import io.continua.peft.TestDeltas;
import io.continua.peft.Vectors;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.Ia3Config;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.delta.LlamaAdapterConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.delta.LoreftConfig;
import io.continua.peft.delta.PrefixTuningConfig;
import io.continua.peft.delta.PromptTuningConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.Projection;
import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.onnx.OnnxRuntimeOracle;
import io.continua.peft.runtime.Precision;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.TokenBatch;
import io.continua.peft.tokenizer.Tokens;
import io.continua.peft.training.TrainingGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-layout SavedModels served through DJL give the in-process graphs' outputs, for any delta
 * of a layout, alone or mixed with other deltas in one batch, without reloading the base.
 */
class DjlServingPathIT {
    private static PretrainedEncoder encoder;
    private static EncoderArchitecture architecture;
    private static DjlEncoder served;
    private static EncoderRuntime runtime;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        encoder = PretrainedEncoder.allMiniLmL6V2();
        architecture = encoder.architecture();
        Path exports = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "serving-exports");
        served = DjlEncoder.open(encoder, exports);
        runtime = EncoderRuntime.of(encoder);
        tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    @AfterAll
    static void close() {
        served.close();
        tokenizer.close();
    }

    @Test
    void classifiesBatchesLikeTheGraphAndSwappingTheHeadKeepsTheBase() {
        List<Tokens> tokens = tokenizer.tokenize(ParitySentences.all().subList(0, 12));
        Delta first = TestDeltas.randomHead(architecture, 5, 1);
        Delta second = TestDeltas.randomHead(architecture, 7, 2);

        try (ServingDelta firstServed = served.prepare(first); ServingDelta secondServed = served.prepare(second)) {
            EncoderOutputs fromDjlFirst = served.run(tokens, firstServed);
            EncoderOutputs fromDjlSecond = served.run(tokens, secondServed);

            assertClose(fromDjlFirst, runtime.forward(first.config().layout()).run(tokens, first.inputs()));
            assertClose(fromDjlSecond, runtime.forward(second.config().layout()).run(tokens, second.inputs()));
            assertThat(fromDjlFirst.logits()[0]).hasSize(5);
            assertThat(fromDjlSecond.logits()[0]).hasSize(7);
            assertThat(fromDjlSecond.pooled()).isDeepEqualTo(fromDjlFirst.pooled());
        }
    }

    @Test
    void probabilitiesAreASoftmaxOfTheLogits() {
        List<Tokens> tokens = tokenizer.tokenize(List.of("where is my card", "I want a refund"));
        try (ServingDelta delta = served.prepare(TestDeltas.randomHead(architecture, 4, 3))) {
            EncoderOutputs outputs = served.run(tokens, delta);
            for (float[] row : outputs.probabilities()) {
                double sum = 0;
                for (float p : row) {
                    assertThat(p).isBetween(0f, 1f);
                    sum += p;
                }
                assertThat(sum).isCloseTo(1.0, Offset.offset(1e-5));
            }
        }
    }

    @Test
    void deltasOfEveryKindGiveTheTrainingGraphsLogits() {
        List<Tokens> tokens = tokenizer.tokenize(ParitySentences.all().subList(5, 15));
        List<String> labels = List.of("a", "b", "c", "d");
        for (DeltaConfig config : List.of(LoraConfig.defaults(),
                new LoraConfig(4, 8, 0.1, EnumSet.allOf(Projection.class), List.of(1, 4)),
                new AdapterConfig(AdapterConfig.Placement.HOULSBY, 32), AdapterConfig.defaults(), Ia3Config.defaults(),
                new Ia3Config(EnumSet.of(Projection.QUERY, Projection.ATTENTION_OUTPUT, Projection.INTERMEDIATE)),
                LoreftConfig.defaults(), new LoreftConfig(4, List.of(1, 4), 3, 2), PromptTuningConfig.defaults(),
                PrefixTuningConfig.defaults(), LlamaAdapterConfig.defaults(), new LlamaAdapterConfig(3, 2),
                TestDeltas.fusion(3, AdapterConfig.Placement.HOULSBY, 16, 4))) {
            Delta delta = TestDeltas.initialize(config, architecture, labels, 5).withRandomValues(9, 0.1);
            float[][] expected = TrainingGraph.forDelta(runtime, config).logits(
                    PackedBatch.of(tokens, config.layout().virtualTokens()), delta.inputs());
            Delta headOnly = TestDeltas.headOf(delta, architecture);
            float[][] withoutDelta = runtime.forward(headOnly.config().layout()).run(tokens, headOnly.inputs()).logits();
            try (ServingDelta servedDelta = served.prepare(delta)) {
                assertClose(served.run(tokens, servedDelta).logits(), expected, 1e-4f, config.kind().key());
            }
            assertThat(expected[0][0]).as("the %s delta changes the encoder", config.hyperparameters())
                    .isNotCloseTo(withoutDelta[0][0], Offset.offset(1e-3f));
        }
        assertThat(served.loadedLayouts()).contains(LoraConfig.defaults().layout().key(),
                AdapterConfig.defaults().layout().key(), Ia3Config.defaults().layout().key());
    }

    /**
     * Three LoRA deltas of one layout, with 3, 4 and 6 labels, interleaved in one batch: each text
     * gets what it gets alone with its own delta; the absent labels of the narrower heads get 0.
     */
    @Test
    void aMixedBatchAnswersEachTextWithItsOwnDelta() {
        List<String> texts = ParitySentences.all();
        List<Delta> deltas = List.of(
                Delta.initialize(LoraConfig.defaults(), architecture, List.of("a", "b", "c"), 1).withRandomValues(1, 0.1),
                Delta.initialize(LoraConfig.defaults(), architecture,
                        List.of("a", "b", "c", "d"), 2).withRandomValues(2, 0.1),
                Delta.initialize(LoraConfig.defaults(), architecture,
                        List.of("a", "b", "c", "d", "e", "f"), 3).withRandomValues(3, 0.1));
        List<ServingDelta> prepared = new ArrayList<>();
        try {
            deltas.forEach(delta -> prepared.add(served.prepare(delta)));
            List<Tokens> tokens = tokenizer.tokenize(texts);
            List<ServingDelta> perText = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                perText.add(prepared.get((i * 7) % 3));
            }
            EncoderOutputs mixed = served.run(tokens, perText);
            for (int i = 0; i < texts.size(); i++) {
                Delta own = deltas.get((i * 7) % 3);
                EncoderOutputs alone = runtime.forward(own.config().layout()).run(List.of(tokens.get(i)), own.inputs());
                int width = own.labels().size();
                assertThat(mixed.probabilities()[i]).hasSize(6);
                for (int label = 0; label < 6; label++) {
                    if (label < width) {
                        assertThat(mixed.probabilities()[i][label]).as("text %d label %d", i, label)
                                .isCloseTo(alone.probabilities()[0][label], Offset.offset(1e-5f));
                    } else {
                        assertThat(mixed.probabilities()[i][label]).as("absent label").isZero();
                    }
                }
            }
        } finally {
            prepared.forEach(ServingDelta::close);
        }
    }

    /**
     * bfloat16 products stay within the parity bar (cosine 0.9999 on every text, the longest and
     * shortest included) of ONNX Runtime's float32, and pick the same top label.
     */
    @Test
    void bfloat16ServingStaysWithinParityOfOnnxRuntime() throws Exception {
        Path exports = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "serving-exports");
        List<Tokens> tokens = tokenizer.tokenize(ParitySentences.all());
        Delta head = TestDeltas.randomHead(architecture, 6, 4);
        try (DjlEncoder half = DjlEncoder.open(encoder, exports, Precision.BF16);
             ServingDelta delta = half.prepare(head);
             OnnxRuntimeOracle oracle = new OnnxRuntimeOracle(PretrainedEncoder.class.getResourceAsStream(
                     PretrainedEncoder.MINILM_ONNX))) {
            EncoderOutputs outputs = half.run(tokens, delta);
            float[][] expected = oracle.pooled(TokenBatch.padded(tokens));
            double worst = 1;
            for (int row = 0; row < tokens.size(); row++) {
                worst = Math.min(worst, Vectors.cosine(outputs.pooled()[row], expected[row]));
            }
            System.out.printf("bfloat16 serving: worst cosine %.7f over %d texts%n", worst, tokens.size());
            assertThat(worst).isGreaterThanOrEqualTo(0.9999);
            try (ServingDelta exactDelta = served.prepare(head)) {
                float[][] exact = served.run(tokens, exactDelta).probabilities();
                int agree = 0;
                for (int row = 0; row < tokens.size(); row++) {
                    agree += argmax(exact[row]) == argmax(outputs.probabilities()[row]) ? 1 : 0;
                }
                assertThat(agree).as("top labels shared with float32").isGreaterThanOrEqualTo(tokens.size() - 1);
            }
        }
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }

    @Test
    void deltasOfDifferentLayoutsCannotShareABatch() {
        try (ServingDelta lora = served.prepare(Delta.initialize(LoraConfig.defaults(), architecture, List.of("a"), 1));
             ServingDelta head = served.prepare(Delta.initialize(new HeadConfig(), architecture, List.of("a"), 1))) {
            List<Tokens> tokens = tokenizer.tokenize(List.of("one", "two"));
            assertThatThrownBy(() -> served.run(tokens, List.of(lora, head)))
                    .hasMessageContaining("cannot mix layouts");
        }
    }

    private static void assertClose(EncoderOutputs actual, EncoderOutputs expected) {
        assertClose(actual.logits(), expected.logits(), 1e-4f, "logit");
        assertClose(actual.pooled(), expected.pooled(), 1e-5f, "pooled");
    }

    private static void assertClose(float[][] actual, float[][] expected, float tolerance, String what) {
        assertThat(actual).hasSameDimensionsAs(expected);
        for (int row = 0; row < expected.length; row++) {
            for (int column = 0; column < expected[row].length; column++) {
                assertThat(actual[row][column]).as("%s [%d][%d]", what, row, column)
                        .isCloseTo(expected[row][column], Offset.offset(tolerance));
            }
        }
    }
}
