package io.continua.peft.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.ParitySentences;
import io.continua.peft.Vectors;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.ForwardGraph;
import io.continua.peft.onnx.OnnxRuntimeOracle;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.TokenBatch;
import io.continua.peft.tokenizer.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TensorFlow rebuild of all-MiniLM-L6-v2 against ONNX Runtime on the same ONNX file. */
class OnnxParityIT {
    private static PretrainedEncoder encoder;
    private static ForwardGraph graph;
    private static TextTokenizer tokenizer;
    private static OnnxRuntimeOracle oracle;

    @BeforeAll
    static void load() throws Exception {
        encoder = PretrainedEncoder.allMiniLmL6V2();
        graph = EncoderRuntime.of(encoder).forward(DeltaLayout.headOnly());
        tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
        oracle = new OnnxRuntimeOracle(OnnxParityIT.class.getResourceAsStream("/all-minilm-l6-v2.onnx"));
    }

    @AfterAll
    static void close() throws Exception {
        tokenizer.close();
        oracle.close();
    }

    @Test
    void readsTheArchitectureFromTheWeights() {
        EncoderArchitecture architecture = encoder.architecture();
        assertThat(architecture.layers()).isEqualTo(6);
        assertThat(architecture.hiddenSize()).isEqualTo(384);
        assertThat(architecture.heads()).isEqualTo(12);
        assertThat(architecture.intermediateSize()).isEqualTo(1536);
        assertThat(architecture.layerNormEpsilon()).isEqualTo(1e-12f);
        assertThat(encoder.weights().parameterCount()).isBetween(22_000_000L, 23_000_000L);
        assertThat(encoder.fingerprint()).startsWith("all-minilm-l6-v2@sha256:");
    }

    @Test
    void pooledEmbeddingsMatchOnnxRuntimeOneByOneAndInMixedBatches() throws Exception {
        List<String> sentences = ParitySentences.all();
        assertThat(sentences).hasSizeGreaterThanOrEqualTo(25);
        Map<String, WeightTensor> anyHead = Map.of(
                DeltaLayout.HEAD_WEIGHT, new WeightTensor(DeltaLayout.HEAD_WEIGHT,
                        new long[] {encoder.architecture().hiddenSize(), 2}, new float[encoder.architecture().hiddenSize() * 2]),
                DeltaLayout.HEAD_BIAS, new WeightTensor(DeltaLayout.HEAD_BIAS, new long[] {2}, new float[2]));
        List<Double> cosines = new ArrayList<>();
        double maxDifference = 0;
        List<List<String>> batches = new ArrayList<>();
        sentences.forEach(sentence -> batches.add(List.of(sentence)));
        batches.add(sentences.subList(0, 10));
        batches.add(sentences.subList(10, sentences.size()));
        batches.add(sentences);
        for (List<String> batch : batches) {
            List<Tokens> tokens = tokenizer.tokenize(batch);
            float[][] ours = graph.run(tokens, anyHead).pooled();
            float[][] expected = oracle.pooled(TokenBatch.padded(tokens));
            for (int row = 0; row < batch.size(); row++) {
                double cosine = Vectors.cosine(ours[row], expected[row]);
                cosines.add(cosine);
                maxDifference = Math.max(maxDifference, Vectors.maxAbsDifference(ours[row], expected[row]));
                assertThat(cosine).as("cosine for '%s' in a batch of %d", batch.get(row), batch.size())
                        .isGreaterThanOrEqualTo(0.9999);
            }
        }
        System.out.printf("Parity over %d embeddings: worst cosine %.7f, max |difference| %.2e%n",
                cosines.size(), cosines.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), maxDifference);
    }

    @Test
    void truncatesAtTheMaximumLengthAndSaysSo() {
        TokenBatch tokens = TokenBatch.padded(tokenizer.tokenize(List.of(ParitySentences.all().get(25), "short")));
        assertThat(tokens.length()).isEqualTo(TextTokenizer.DEFAULT_MAX_LENGTH);
        assertThat(tokens.truncated()).containsExactly(true, false);
        assertThat(tokens.tokens(1)).isEqualTo(3);
    }
}
