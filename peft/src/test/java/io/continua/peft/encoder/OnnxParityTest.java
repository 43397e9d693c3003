package io.continua.peft.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.ParitySentences;
import io.continua.peft.Vectors;
import io.continua.peft.graph.DeltaTensors;
import io.continua.peft.graph.GraphEncoder;
import io.continua.peft.onnx.OnnxRuntimeOracle;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TensorFlow rebuild of all-MiniLM-L6-v2 against ONNX Runtime on the same ONNX file. */
class OnnxParityTest {
    private static PretrainedEncoder encoder;
    private static GraphEncoder graph;
    private static TextTokenizer tokenizer;
    private static OnnxRuntimeOracle oracle;

    @BeforeAll
    static void load() throws Exception {
        encoder = PretrainedEncoder.allMiniLmL6V2();
        graph = GraphEncoder.create(encoder);
        tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
        oracle = new OnnxRuntimeOracle(OnnxParityTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx"));
    }

    @AfterAll
    static void close() throws Exception {
        graph.close();
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
        DeltaTensors anyHead = DeltaTensors.builder(encoder.architecture())
                .head(new float[encoder.architecture().hiddenSize() * 2], new float[2]).build();
        List<Double> cosines = new ArrayList<>();
        double maxDifference = 0;
        List<List<String>> batches = new ArrayList<>();
        sentences.forEach(sentence -> batches.add(List.of(sentence)));
        batches.add(sentences.subList(0, 10));
        batches.add(sentences.subList(10, sentences.size()));
        for (List<String> batch : batches) {
            TokenBatch tokens = tokenizer.encode(batch);
            float[][] ours = graph.run(tokens, anyHead).pooled();
            float[][] expected = oracle.pooled(tokens);
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
        TokenBatch tokens = tokenizer.encode(List.of(ParitySentences.all().get(25), "short"));
        assertThat(tokens.length()).isEqualTo(TextTokenizer.DEFAULT_MAX_LENGTH);
        assertThat(tokens.truncated()).containsExactly(true, false);
        assertThat(tokens.tokens(1)).isEqualTo(3);
    }
}
