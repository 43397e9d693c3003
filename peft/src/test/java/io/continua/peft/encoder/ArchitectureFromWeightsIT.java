package io.continua.peft.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.peft.TestDeltas;
import io.continua.peft.Vectors;
import io.continua.peft.delta.Delta;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.onnx.OnnxModelReader;
import io.continua.peft.tokenizer.Tokens;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A differently sized BERT-family encoder, written by the test, is read and run from its weights alone. */
class ArchitectureFromWeightsIT {

    @Test
    void aTinyEncoderIsImportedWithItsOwnShapeAndRunsLikeAPlainJavaBert() throws Exception {
        TinyBertOnnxWriter writer = new TinyBertOnnxWriter(3, 16, 4, 24, 40, 12, 1e-5f, 11);
        EncoderWeights weights = OnnxEncoderImporter.importWeights(
                OnnxModelReader.read(new ByteArrayInputStream(writer.write())));

        assertThat(weights.architecture()).isEqualTo(writer.architecture());

        PretrainedEncoder tiny = new PretrainedEncoder("tiny", "tiny@test", weights, new byte[0]);
        int[][] sequences = {{1, 5, 7, 2}, {1, 39, 2}, {1, 3, 4, 5, 6, 7, 8, 9, 10, 2}};
        List<Tokens> batch = Arrays.stream(sequences).map(ids -> new Tokens(ids, false)).toList();
        Delta head = TestDeltas.randomHead(weights.architecture(), 3, 1);
        float[][] pooled = EncoderRuntime.of(tiny).forward(DeltaLayout.headOnly()).run(batch, head.inputs()).pooled();

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
}
