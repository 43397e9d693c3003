package io.continua.peft.graph;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.tokenizer.TokenBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An encoder graph whose frozen parameters are fed from the process-wide {@link FrozenBase}, with
 * its session. Callers may add ops (a loss, gradients) through {@link #ops()} before the first run.
 */
public final class FedGraph implements AutoCloseable {
    private final Graph graph;
    private final Ops tf;
    private final EncoderGraph encoder;
    private final FrozenBase base;
    private final Map<String, Placeholder<TFloat32>> basePlaceholders = new LinkedHashMap<>();
    private Session session;

    private FedGraph(PretrainedEncoder pretrained, boolean loraDropout) {
        this.base = FrozenBase.of(pretrained);
        this.graph = new Graph();
        this.tf = Ops.create(graph);
        WeightSource fed = (name, shape) -> basePlaceholders.computeIfAbsent(name, key ->
                tf.withName(FrozenBase.placeholderName(key)).placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(shape))));
        this.encoder = loraDropout
                ? EncoderGraphBuilder.buildWithLoraDropout(tf, pretrained.architecture(), fed)
                : EncoderGraphBuilder.build(tf, pretrained.architecture(), fed);
    }

    public static FedGraph inference(PretrainedEncoder pretrained) {
        return new FedGraph(pretrained, false);
    }

    public static FedGraph withLoraDropout(PretrainedEncoder pretrained) {
        return new FedGraph(pretrained, true);
    }

    public Ops ops() {
        return tf;
    }

    public Graph graph() {
        return graph;
    }

    public EncoderGraph encoder() {
        return encoder;
    }

    /**
     * A runner with the frozen base, the tokens and the delta fed; the tensors it creates are added
     * to {@code fed}, which the caller closes after the run.
     */
    public Session.Runner runner(TokenBatch batch, DeltaTensors delta, List<Tensor> fed) {
        Session.Runner runner = session().runner();
        basePlaceholders.forEach((name, placeholder) -> runner.feed(placeholder, base.tensor(name)));
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
        return runner;
    }

    private synchronized Session session() {
        if (session == null) {
            session = new Session(graph);
        }
        return session;
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            session.close();
        }
        graph.close();
    }
}
