package io.continua.peft.training;

import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.DeltaSlot;
import io.continua.peft.graph.DeltaTensors;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.FedGraph;
import io.continua.peft.graph.TfTensors;
import io.continua.peft.tokenizer.TokenBatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The encoder graph plus a cross-entropy loss and its gradients with respect to every delta slot
 * ({@code Graph.addGradients}). One per process serves every domain and every delta kind: a step
 * feeds the delta's tensors and fetches only the gradients of the tensors it trains, so TensorFlow
 * runs only the backward pass those need (none through the encoder for a head-only delta).
 */
public final class TrainingGraph implements AutoCloseable {
    private final FedGraph graph;
    private final Placeholder<TFloat32> labels;
    private final Operand<TFloat32> loss;
    private final Map<String, Output<?>> gradients = new LinkedHashMap<>();

    private TrainingGraph(FedGraph graph) {
        this.graph = graph;
        Ops tf = graph.ops();
        EncoderGraph encoder = graph.encoder();
        labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        loss = tf.withName("loss").math.mean(
                tf.nn.softmaxCrossEntropyWithLogits(encoder.logits(), labels).loss(), tf.constant(0));
        List<String> slots = new ArrayList<>();
        List<Output<?>> inputs = new ArrayList<>();
        encoder.deltaInputs().forEach((slot, placeholder) -> {
            if (!slot.equals(DeltaSlot.LORA_SCALING)) {
                slots.add(slot);
                inputs.add(placeholder.output());
            }
        });
        Output<?>[] derivatives = graph.graph().addGradients(loss.asOutput(), inputs.toArray(new Output<?>[0]));
        for (int i = 0; i < slots.size(); i++) {
            gradients.put(slots.get(i), derivatives[i]);
        }
    }

    /** Without dropout: what training uses when the delta has none, and what gradient checks use. */
    public static TrainingGraph create(PretrainedEncoder encoder) {
        return new TrainingGraph(FedGraph.inference(encoder));
    }

    /** With LoRA dropout (fed rate and seed per step). */
    public static TrainingGraph withLoraDropout(PretrainedEncoder encoder) {
        return new TrainingGraph(FedGraph.withLoraDropout(encoder));
    }

    /** The graph a delta trains on: with dropout inputs only if it uses LoRA dropout. */
    public static TrainingGraph forDelta(PretrainedEncoder encoder, DeltaConfig config) {
        return config.loraDropout() > 0 ? withLoraDropout(encoder) : create(encoder);
    }

    public boolean hasDropout() {
        return graph.encoder().dropoutRate().isPresent();
    }

    /** What one step computed: the batch's mean loss and the gradient of each trained tensor. */
    public record StepResult(double loss, Map<String, float[]> gradients) {
    }

    /**
     * The loss of a batch and the gradients of the tensors named in {@code trained}.
     *
     * @param oneHot {@code [batch, labels]} row-major, one 1 per row
     */
    public StepResult step(TokenBatch batch, float[] oneHot, DeltaTensors delta, Collection<String> trained,
                           float dropoutRate, long dropoutSeed) {
        List<Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = feed(batch, oneHot, delta, dropoutRate, dropoutSeed, fed);
            runner.fetch(loss);
            List<String> names = new ArrayList<>(trained);
            for (String name : names) {
                Output<?> gradient = gradients.get(name);
                if (gradient == null) {
                    throw new IllegalArgumentException("No trainable delta slot " + name);
                }
                runner.fetch(gradient);
            }
            try (Result result = runner.run()) {
                Map<String, float[]> values = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    values.put(names.get(i), TfTensors.values((TFloat32) result.get(i + 1)));
                }
                return new StepResult(((TFloat32) result.get(0)).getFloat(), values);
            }
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    /** The logits this graph computes for a batch (dropout off): what training optimizes. */
    public float[][] logits(TokenBatch batch, DeltaTensors delta) {
        List<Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = feed(batch, new float[batch.size() * delta.labelCount()], delta, 0f, 0, fed);
            try (Result result = runner.fetch(graph.encoder().logits()).run()) {
                return TfTensors.rows((TFloat32) result.get(0));
            }
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    /** The batch's mean loss only (dropout off). */
    public double loss(TokenBatch batch, float[] oneHot, DeltaTensors delta) {
        List<Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = feed(batch, oneHot, delta, 0f, 0, fed);
            try (Result result = runner.fetch(loss).run()) {
                return ((TFloat32) result.get(0)).getFloat();
            }
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    private Session.Runner feed(TokenBatch batch, float[] oneHot, DeltaTensors delta, float dropoutRate,
                                long dropoutSeed, List<Tensor> fed) {
        if (oneHot.length != batch.size() * delta.labelCount()) {
            throw new IllegalArgumentException("Labels for " + oneHot.length / Math.max(1, delta.labelCount())
                    + " rows and " + delta.labelCount() + " classes do not fit a batch of " + batch.size());
        }
        Session.Runner runner = graph.runner(batch, delta, fed);
        TFloat32 labelTensor = TfTensors.floats(new WeightTensor("labels",
                new long[] {batch.size(), delta.labelCount()}, oneHot));
        fed.add(labelTensor);
        runner.feed(labels, labelTensor);
        graph.encoder().dropoutRate().ifPresent(rate -> {
            TFloat32 rateTensor = TFloat32.scalarOf(dropoutRate);
            fed.add(rateTensor);
            runner.feed(rate, rateTensor);
        });
        graph.encoder().dropoutSeed().ifPresent(seed -> {
            TInt64 seedTensor = TInt64.vectorOf(dropoutSeed, 0);
            fed.add(seedTensor);
            runner.feed(seed, seedTensor);
        });
        return runner;
    }

    @Override
    public void close() {
        graph.close();
    }
}
