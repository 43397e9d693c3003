package io.continua.peft.graph;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.tokenizer.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * The inference graph run through TensorFlow Java directly, with the {@link FrozenBase} fed in:
 * the reference the serving path is checked against, and what evaluation runs on.
 * Thread-safe: a TensorFlow session runs concurrent calls.
 */
public final class GraphEncoder implements AutoCloseable {
    private final FedGraph graph;

    private GraphEncoder(FedGraph graph) {
        this.graph = graph;
    }

    public static GraphEncoder create(PretrainedEncoder pretrained) {
        return new GraphEncoder(FedGraph.inference(pretrained));
    }

    public EncoderOutputs run(TokenBatch batch, DeltaTensors delta) {
        List<Tensor> fed = new ArrayList<>();
        EncoderGraph encoder = graph.encoder();
        try (Result result = graph.runner(batch, delta, fed)
                .fetch(encoder.pooled()).fetch(encoder.logits()).fetch(encoder.probabilities()).run()) {
            return new EncoderOutputs(TfTensors.rows((TFloat32) result.get(0)),
                    TfTensors.rows((TFloat32) result.get(1)), TfTensors.rows((TFloat32) result.get(2)));
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
