package io.continua.peft.graph;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.tokenizer.TokenBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The encoder graph run through TensorFlow Java directly, with the {@link FrozenBase} fed in: the
 * reference against which the serving path is checked, and the basis the trainer builds on.
 * Thread-safe: a TensorFlow session runs concurrent calls.
 */
public final class GraphEncoder implements AutoCloseable {
    private final Graph graph;
    private final Session session;
    private final EncoderGraph encoder;
    private final FrozenBase base;
    private final Map<String, Placeholder<TFloat32>> basePlaceholders;

    private GraphEncoder(PretrainedEncoder pretrained) {
        this.base = FrozenBase.of(pretrained);
        this.graph = new Graph();
        Ops tf = Ops.create(graph);
        this.basePlaceholders = new LinkedHashMap<>();
        this.encoder = EncoderGraphBuilder.build(tf, pretrained.architecture(), (name, shape) ->
                basePlaceholders.computeIfAbsent(name, key -> tf.withName(FrozenBase.placeholderName(key))
                        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)))));
        this.session = new Session(graph);
    }

    public static GraphEncoder create(PretrainedEncoder pretrained) {
        return new GraphEncoder(pretrained);
    }

    public EncoderGraph graph() {
        return encoder;
    }

    public EncoderOutputs run(TokenBatch batch, DeltaTensors delta) {
        List<Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            feedBase(runner);
            feedInputs(runner, batch, delta, fed);
            runner.fetch(encoder.pooled()).fetch(encoder.logits()).fetch(encoder.probabilities());
            try (Result result = runner.run()) {
                return new EncoderOutputs(TfTensors.rows((TFloat32) result.get(0)),
                        TfTensors.rows((TFloat32) result.get(1)), TfTensors.rows((TFloat32) result.get(2)));
            }
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    /** Feeds the frozen parameters; the caller feeds the rest and fetches what it needs. */
    void feedBase(Session.Runner runner) {
        basePlaceholders.forEach((name, placeholder) -> runner.feed(placeholder, base.tensor(name)));
    }

    /** Feeds tokens and delta; the tensors created are added to {@code fed} for the caller to close. */
    void feedInputs(Session.Runner runner, TokenBatch batch, DeltaTensors delta, List<Tensor> fed) {
        Tensor ids = TfTensors.ints(batch.ids(), batch.size(), batch.length());
        fed.add(ids);
        Tensor mask = TfTensors.ints(batch.mask(), batch.size(), batch.length());
        fed.add(mask);
        runner.feed(encoder.inputIds(), ids).feed(encoder.attentionMask(), mask);
        for (WeightTensor tensor : delta.all()) {
            TFloat32 value = TfTensors.floats(tensor);
            fed.add(value);
            runner.feed(encoder.deltaInputs().get(tensor.name()), value);
        }
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
