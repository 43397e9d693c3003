package io.continua.peft.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.peft.Vectors;
import io.continua.peft.graph.DeltaTensors;
import io.continua.peft.graph.GraphEncoder;
import io.continua.peft.onnx.OnnxModelReader;
import io.continua.peft.tokenizer.TokenBatch;
import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A differently sized BERT-family encoder, written by the test, is read and run from its weights alone. */
class ArchitectureFromWeightsTest {

    @Test
    void aTinyEncoderIsImportedWithItsOwnShapeAndRunsLikeAPlainJavaBert() throws Exception {
        TinyBertOnnxWriter writer = new TinyBertOnnxWriter(3, 16, 4, 24, 40, 12, 1e-5f, 11);
        EncoderWeights weights = OnnxEncoderImporter.importWeights(
                OnnxModelReader.read(new ByteArrayInputStream(writer.write())));

        assertThat(weights.architecture()).isEqualTo(writer.architecture());

        PretrainedEncoder tiny = new PretrainedEncoder("tiny", "tiny@test", weights, new byte[0]);
        int[][] sequences = {{1, 5, 7, 2}, {1, 39, 2}, {1, 3, 4, 5, 6, 7, 8, 9, 10, 2}};
        TokenBatch batch = padded(sequences);
        DeltaTensors head = DeltaTensors.builder(weights.architecture()).head(new float[16 * 3], new float[3]).build();
        float[][] pooled;
        try (GraphEncoder graph = GraphEncoder.create(tiny)) {
            pooled = graph.run(batch, head).pooled();
        }

        ReferenceBert reference = new ReferenceBert(weights);
        for (int row = 0; row < sequences.length; row++) {
            double[] expected = reference.pooled(sequences[row]);
            float[] expectedFloats = new float[expected.length];
            for (int i = 0; i < expected.length; i++) {
                expectedFloats[i] = (float) expected[i];
            }
            assertThat(Vectors.cosine(pooled[row], expectedFloats)).isGreaterThan(0.99999);
            assertThat(Vectors.maxAbsDifference(pooled[row], expectedFloats)).isLessThan(1e-4);
        }
    }

    @Test
    void missingOrMisshapedParametersAreNamedInTheError() throws Exception {
        EncoderWeights weights = OnnxEncoderImporter.importWeights(OnnxModelReader.read(new ByteArrayInputStream(
                new TinyBertOnnxWriter(2, 8, 2, 12, 20, 8, 1e-12f, 3).write())));
        Map<String, WeightTensor> broken = new HashMap<>();
        weights.all().forEach(tensor -> broken.put(tensor.name(), tensor));
        broken.remove("encoder.layer.1.output.LayerNorm.bias");
        assertThatThrownBy(() -> new EncoderWeights(broken, 2, 1e-12f))
                .hasMessageContaining("encoder.layer.1.output.LayerNorm.bias");

        broken.put("encoder.layer.1.output.LayerNorm.bias", new WeightTensor("x", new long[] {7}, new float[7]));
        assertThatThrownBy(() -> new EncoderWeights(broken, 2, 1e-12f))
                .hasMessageContaining("encoder.layer.1.output.LayerNorm.bias").hasMessageContaining("[7]");
    }

    private static TokenBatch padded(int[][] sequences) {
        int length = 0;
        for (int[] sequence : sequences) {
            length = Math.max(length, sequence.length);
        }
        int[] ids = new int[sequences.length * length];
        int[] mask = new int[sequences.length * length];
        for (int row = 0; row < sequences.length; row++) {
            for (int i = 0; i < sequences[row].length; i++) {
                ids[row * length + i] = sequences[row][i];
                mask[row * length + i] = 1;
            }
        }
        return new TokenBatch(sequences.length, length, ids, mask, new boolean[sequences.length]);
    }
}
