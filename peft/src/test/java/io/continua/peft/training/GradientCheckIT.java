package io.continua.peft.training;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.continua.peft.encoder.Projection;
import io.continua.peft.encoder.TinyBertOnnxWriter;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.tokenizer.Tokens;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Analytic gradients from Graph.addGradients agree with central finite differences of the loss. */
class GradientCheckIT {
    private static final int DIRECTIONS_PER_TENSOR = 3;

    private static final List<Tokens> TEXTS = List.of(
            new Tokens(new int[] {1, 7, 9, 2}, false),
            new Tokens(new int[] {1, 30, 2}, false),
            new Tokens(new int[] {1, 4, 5, 6, 2}, false));
    private static final float[] ONE_HOT = {1, 0, 0, 0, 0, 1, 0, 1, 0};

    private static PretrainedEncoder tiny;

    @BeforeAll
    static void build() {
        tiny = TinyBertOnnxWriter.tinyEncoder(2, 16, 4, 24, 40, 5);
    }

    @Test
    void loraGradientsMatchFiniteDifferences() {
        LoraConfig lora = new LoraConfig(2, 4, 0.0,
                EnumSet.of(Projection.QUERY, Projection.VALUE, Projection.INTERMEDIATE, Projection.OUTPUT), List.of());
        check(lora, 2e-2);
    }

    /** Output rescaling (key, value, the intermediate projection) and input rescaling (the feed-forward output). */
    @Test
    void ia3GradientsMatchFiniteDifferences() {
        check(new Ia3Config(EnumSet.of(Projection.KEY, Projection.VALUE, Projection.INTERMEDIATE, Projection.OUTPUT)),
                2e-2);
    }

    /** On the first and last token of each text (the position mask included) and on every token of one layer. */
    @Test
    void loreftGradientsMatchFiniteDifferences() {
        check(new LoreftConfig(2, List.of(), 1, 1), 5e-3);
        check(new LoreftConfig(3, List.of(1), 0, 0), 5e-3);
    }

    /** Through the virtual tokens' rows, which every layer carries. */
    @Test
    void promptTuningGradientsMatchFiniteDifferences() {
        check(new PromptTuningConfig(3), 5e-3);
    }

    /** Through the prefixes' keys and values, in the softmax they share with the text's keys. */
    @Test
    void prefixTuningGradientsMatchFiniteDifferences() {
        check(new PrefixTuningConfig(3), 5e-3);
    }

    /**
     * Through the frozen projections of the prompts, their own softmax and the gates; the gates are
     * non-zero here (a new delta's are 0, where no gradient would reach the prompts). One layer of two
     * adapted, so a layer without a prompt is in the path too.
     */
    @Test
    void llamaAdapterGradientsMatchFiniteDifferences() {
        check(new LlamaAdapterConfig(3, 1), 5e-3);
        check(new LlamaAdapterConfig(2, 0), 5e-3);
    }

    /**
     * Through the softmax over three frozen source adapters at both Houlsby positions; LoRA's larger
     * step, since the queries' gradients are small and float32 rounding dominates a smaller step.
     */
    @Test
    void adapterFusionGradientsMatchFiniteDifferences() {
        check(TestDeltas.fusion(3, AdapterConfig.Placement.HOULSBY, 4, 2), 2e-2);
    }

    @Test
    void houlsbyAdapterGradientsMatchFiniteDifferences() {
        check(new AdapterConfig(AdapterConfig.Placement.HOULSBY, 4), 5e-3);
    }

    /**
     * Every tensor random and non-zero, so that no gradient vanishes by construction (LoRA's B, an
     * adapter's up). {@code step} trades float32 rounding (small steps) against crossing ReLU kinks
     * in adapters (large steps).
     */
    private static void check(DeltaConfig config, double step) {
        TrainingGraph graph = TrainingGraph.forDelta(EncoderRuntime.of(tiny), config);
        PackedBatch batch = PackedBatch.of(TEXTS, config.layout().virtualTokens());
        Delta randomized = TestDeltas.initialize(config, tiny.architecture(), List.of("a", "b", "c"), 3)
                .withRandomValues(17, 0.3);
        Random random = new Random(17);
        Map<String, float[]> analytic = graph.step(batch, ONE_HOT, randomized.inputs(),
                randomized.parameters().stream().map(WeightTensor::name).toList(), 0f, 0).gradients();

        double worst = 0;
        for (WeightTensor tensor : randomized.parameters()) {
            float[] gradient = analytic.get(tensor.name());
            double differenceSquared = 0;
            double scaleSquared = 0;
            for (int sample = 0; sample < DIRECTIONS_PER_TENSOR; sample++) {
                float[] direction = direction(gradient, random);
                double numeric = directionalDerivative(graph, batch, randomized, tensor.name(), direction, step);
                double exact = dot(gradient, direction);
                differenceSquared += (numeric - exact) * (numeric - exact);
                scaleSquared += Math.max(numeric * numeric, exact * exact);
            }
            double relative = Math.sqrt(differenceSquared) / Math.sqrt(scaleSquared);
            worst = Math.max(worst, relative);
            assertThat(norm(gradient)).as("gradient of %s", tensor.name()).isGreaterThan(1e-6);
            assertThat(relative).as("relative gradient error of %s", tensor.name()).isLessThan(1e-2);
        }
        System.out.printf("%s gradient check: worst relative error %.2e over %d tensors%n", config.kind().key(), worst,
                analytic.size());
    }

    /**
     * A unit direction half along the gradient and half random: the derivative along it is large
     * enough to stand above float32 rounding, and a wrong gradient direction still shows. A single
     * number (LLaMA-Adapter's gate) has one direction, its own: noise could cancel it to nothing.
     */
    private static float[] direction(float[] gradient, Random random) {
        double gradientNorm = norm(gradient);
        if (gradient.length == 1) {
            return new float[] {(float) Math.signum(gradient[0])};
        }
        float[] noise = new float[gradient.length];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) random.nextGaussian();
        }
        double noiseNorm = norm(noise);
        float[] direction = new float[gradient.length];
        for (int i = 0; i < direction.length; i++) {
            direction[i] = (float) (gradient[i] / gradientNorm + noise[i] / noiseNorm);
        }
        double norm = norm(direction);
        for (int i = 0; i < direction.length; i++) {
            direction[i] /= (float) norm;
        }
        return direction;
    }

    /** Central difference of the loss along {@code direction}. */
    private static double directionalDerivative(TrainingGraph graph, PackedBatch batch, Delta delta, String name,
                                                float[] direction, double step) {
        float[] plus = delta.parameter(name).values().clone();
        float[] minus = plus.clone();
        for (int i = 0; i < plus.length; i++) {
            plus[i] += (float) (step * direction[i]);
            minus[i] -= (float) (step * direction[i]);
        }
        double up = graph.loss(batch, ONE_HOT, delta.withValues(Map.of(name, plus)).inputs());
        double down = graph.loss(batch, ONE_HOT, delta.withValues(Map.of(name, minus)).inputs());
        return (up - down) / (2 * step);
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float value : values) {
            sum += (double) value * value;
        }
        return Math.sqrt(sum);
    }
}
