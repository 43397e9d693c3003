package io.continua.peft.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.ParitySentences;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.Projection;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.DeltaSlot;
import io.continua.peft.training.TrainingGraph;
import java.util.EnumSet;
import java.util.Map;
import org.assertj.core.data.Offset;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaTensors;
import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.graph.GraphEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.TokenBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SavedModel served through DJL gives the graph's outputs, for any head, without reloading the base. */
class DjlServingPathTest {
    private static PretrainedEncoder encoder;
    private static DjlEncoder served;
    private static GraphEncoder graph;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        encoder = PretrainedEncoder.allMiniLmL6V2();
        Path exports = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "serving-exports");
        served = DjlEncoder.load(encoder, exports);
        graph = GraphEncoder.create(encoder);
        tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    @AfterAll
    static void close() {
        served.close();
        graph.close();
        tokenizer.close();
    }

    @Test
    void classifiesBatchesLikeTheGraphAndSwappingTheHeadKeepsTheBase() {
        TokenBatch tokens = tokenizer.encode(ParitySentences.all().subList(0, 12));
        DeltaTensors first = randomHead(encoder.architecture(), 5, 1);
        DeltaTensors second = randomHead(encoder.architecture(), 7, 2);

        try (ServingDelta firstServed = served.prepare(first); ServingDelta secondServed = served.prepare(second)) {
            EncoderOutputs fromDjlFirst = served.run(tokens, firstServed);
            EncoderOutputs fromDjlSecond = served.run(tokens, secondServed);

            assertClose(fromDjlFirst, graph.run(tokens, first));
            assertClose(fromDjlSecond, graph.run(tokens, second));
            assertThat(fromDjlFirst.logits()[0]).hasSize(5);
            assertThat(fromDjlSecond.logits()[0]).hasSize(7);
            assertThat(fromDjlSecond.pooled()).isDeepEqualTo(fromDjlFirst.pooled());
        }
    }

    @Test
    void probabilitiesAreASoftmaxOfTheLogits() {
        TokenBatch tokens = tokenizer.encode(List.of("where is my card", "I want a refund"));
        try (ServingDelta delta = served.prepare(randomHead(encoder.architecture(), 4, 3))) {
            EncoderOutputs outputs = served.run(tokens, delta);
            for (float[] row : outputs.probabilities()) {
                double sum = 0;
                for (float p : row) {
                    assertThat(p).isBetween(0f, 1f);
                    sum += p;
                }
                assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void loraAndAdapterDeltasGiveTheTrainingGraphsLogits() {
        TokenBatch tokens = tokenizer.encode(ParitySentences.all().subList(5, 15));
        List<String> labels = List.of("a", "b", "c", "d");
        EncoderArchitecture architecture = encoder.architecture();
        try (TrainingGraph training = TrainingGraph.create(encoder)) {
            for (DeltaConfig config : List.of(LoraConfig.defaults(),
                    new LoraConfig(4, 8, 0.1, EnumSet.allOf(Projection.class), List.of(1, 4)),
                    new AdapterConfig(AdapterConfig.Placement.HOULSBY, 32), AdapterConfig.defaults())) {
                Delta delta = randomized(Delta.initialize(config, architecture, labels, 5));
                DeltaTensors tensors = delta.tensors(architecture);
                float[][] expected = training.logits(tokens, tensors);
                float[][] headOnly = training.logits(tokens, Delta.initialize(new HeadConfig(), architecture, labels, 5)
                        .withValues(Map.of(DeltaSlot.HEAD_WEIGHT, delta.parameter(DeltaSlot.HEAD_WEIGHT).values(),
                                DeltaSlot.HEAD_BIAS, delta.parameter(DeltaSlot.HEAD_BIAS).values()))
                        .tensors(architecture));
                try (ServingDelta servedDelta = served.prepare(tensors)) {
                    float[][] actual = served.run(tokens, servedDelta).logits();
                    for (int row = 0; row < expected.length; row++) {
                        for (int column = 0; column < expected[row].length; column++) {
                            assertThat(actual[row][column]).as("%s logit", config.kind())
                                    .isCloseTo(expected[row][column], Offset.offset(1e-4f));
                        }
                    }
                }
                assertThat(expected[0][0]).as("the %s delta changes the encoder", config.hyperparameters())
                        .isNotCloseTo(headOnly[0][0], Offset.offset(1e-3f));
            }
        }
    }

    /** Every tensor random, so LoRA's B and the adapters' up-projections are not zero. */
    private static Delta randomized(Delta delta) {
        Random random = new Random(9);
        Map<String, float[]> values = new java.util.HashMap<>();
        for (WeightTensor tensor : delta.parameters()) {
            float[] array = new float[tensor.values().length];
            for (int i = 0; i < array.length; i++) {
                array[i] = (float) (random.nextGaussian() * 0.1);
            }
            values.put(tensor.name(), array);
        }
        return delta.withValues(values);
    }

    static DeltaTensors randomHead(EncoderArchitecture architecture, int labels, long seed) {
        Random random = new Random(seed);
        float[] weight = new float[architecture.hiddenSize() * labels];
        float[] bias = new float[labels];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) random.nextGaussian();
        }
        return DeltaTensors.builder(architecture).head(weight, bias).build();
    }

    private static void assertClose(EncoderOutputs actual, EncoderOutputs expected) {
        for (int row = 0; row < expected.logits().length; row++) {
            for (int column = 0; column < expected.logits()[row].length; column++) {
                assertThat(actual.logits()[row][column])
                        .isCloseTo(expected.logits()[row][column], org.assertj.core.data.Offset.offset(1e-4f));
            }
            for (int column = 0; column < expected.pooled()[row].length; column++) {
                assertThat(actual.pooled()[row][column])
                        .isCloseTo(expected.pooled()[row][column], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }
}
