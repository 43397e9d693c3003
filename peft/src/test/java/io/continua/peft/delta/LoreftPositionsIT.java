package io.continua.peft.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.TinyBertOnnxWriter;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.tokenizer.Tokens;
import io.continua.peft.training.TrainingGraph;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * LoReFT intervenes on the positions it is given, counted from each text's start ({@code f}) and
 * end ({@code l}), in a packed batch of texts of different lengths: where the chosen positions
 * cover a whole text it reads exactly as with {@code all}, and where they miss a token it does not.
 * Its rotation is made orthonormal again after the optimizer moves it.
 */
class LoreftPositionsIT {
    private static final PackedBatch BATCH = PackedBatch.of(List.of(
            new Tokens(new int[] {1, 2}, false),
            new Tokens(new int[] {1, 7, 2}, false),
            new Tokens(new int[] {1, 4, 5, 6, 2}, false)));

    @Test
    void intervenesExactlyOnTheChosenPositionsOfEachText() {
        PretrainedEncoder tiny = TinyBertOnnxWriter.tinyEncoder(2, 16, 4, 24, 40, 3);
        EncoderRuntime runtime = EncoderRuntime.of(tiny);
        float[][] all = logits(runtime, tiny, new LoreftConfig(2, List.of(), 0, 0));
        float[][] none = logits(runtime, tiny, new HeadConfig());
        float[][] firstAndLast = logits(runtime, tiny, new LoreftConfig(2, List.of(), 1, 1));
        float[][] firstTwoAndLast = logits(runtime, tiny, new LoreftConfig(2, List.of(), 2, 1));
        float[][] firstThreeAndLastTwo = logits(runtime, tiny, new LoreftConfig(2, List.of(), 3, 2));

        assertThat(distance(all[0], none[0])).as("the intervention changes the encoder").isGreaterThan(1e-3);
        assertThat(distance(firstAndLast[0], all[0])).as("f1+l1 covers a 2-token text").isLessThan(1e-5);
        assertThat(distance(firstAndLast[1], all[1])).as("f1+l1 misses the middle of a 3-token text")
                .isGreaterThan(1e-3);
        assertThat(distance(firstTwoAndLast[1], all[1])).as("f2+l1 covers a 3-token text").isLessThan(1e-5);
        assertThat(distance(firstTwoAndLast[2], all[2])).as("f2+l1 misses a token of a 5-token text")
                .isGreaterThan(1e-3);
        assertThat(distance(firstThreeAndLastTwo[2], all[2])).as("f3+l2 covers a 5-token text").isLessThan(1e-5);
    }

    /** The largest difference between two rows of logits (float rounding differs between graphs: ~1e-7). */
    private static double distance(float[] a, float[] b) {
        double largest = 0;
        for (int i = 0; i < a.length; i++) {
            largest = Math.max(largest, Math.abs(a[i] - b[i]));
        }
        return largest;
    }

    @Test
    void theRotationIsMadeOrthonormalAgain() {
        LoreftConfig config = new LoreftConfig(3, List.of(), 0, 0);
        float[] values = new float[16 * 3];
        Random random = new Random(5);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        config.constrain(Map.of(LoreftPiece.rotation(0), values), Map.of(LoreftPiece.rotation(0), new long[] {16, 3}));
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double dot = 0;
                for (int row = 0; row < 16; row++) {
                    dot += values[row * 3 + a] * values[row * 3 + b];
                }
                assertThat(dot).as("column %d · column %d", a, b).isCloseTo(a == b ? 1 : 0, Offset.offset(1e-5));
            }
        }
    }

    private static float[][] logits(EncoderRuntime runtime, PretrainedEncoder tiny, DeltaConfig config) {
        Delta delta = Delta.initialize(config, tiny.architecture(), List.of("a", "b", "c"), 11).withRandomValues(11, 0.3);
        return TrainingGraph.forDelta(runtime, config).logits(BATCH, delta.inputs());
    }
}
