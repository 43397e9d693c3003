package io.continua.peft.training;

import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.DeltaStack;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.EncoderGraphBuilder;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.graph.SessionFeed;
import io.continua.peft.graph.TensorSpec;
import io.continua.peft.graph.TfTensors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * One layout's padding-free encoder plus a cross-entropy loss and its gradients with respect to
 * the layout's trained tensors ({@code Graph.addGradients}), in the process graph where the base is
 * resident. Every domain whose delta has this layout trains on it: a step feeds the delta's tensors
 * and fetches only the gradients of the tensors it trains, so TensorFlow runs only the backward pass
 * those need (none through the encoder for a head-only delta).
 */
public final class TrainingGraph {
    private final EncoderRuntime runtime;
    private final DeltaLayout layout;
    private final EncoderGraph encoder;
    private final Placeholder<TFloat32> labels;
    private final Operand<TFloat32> loss;
    private final Map<String, Output<?>> gradients = new LinkedHashMap<>();

    private TrainingGraph(EncoderRuntime runtime, Ops tf, DeltaLayout layout, boolean withDropout) {
        this.runtime = runtime;
        this.layout = layout;
        this.encoder = EncoderGraphBuilder.training(tf, runtime.architecture(), runtime.base(), layout, withDropout);
        labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        loss = tf.withName("loss").math.mean(
                tf.nn.softmaxCrossEntropyWithLogits(encoder.logits(), labels).loss(), tf.constant(0));
        List<String> trained = new ArrayList<>();
        List<Output<?>> inputs = new ArrayList<>();
        for (TensorSpec spec : layout.tensors(runtime.architecture())) {
            if (spec.trained()) {
                trained.add(spec.name());
                inputs.add(encoder.deltaInputs().get(spec.name()).output());
            }
        }
        Output<?>[] derivatives = runtime.graph().addGradients(tf.scope().makeOpName("gradients"),
                new Output<?>[] {loss.asOutput()}, inputs.toArray(new Output<?>[0]), null);
        for (int i = 0; i < trained.size(); i++) {
            gradients.put(trained.get(i), derivatives[i]);
        }
    }

    /** The training graph of a layout, with LoRA dropout inputs or without; built once per process. */
    public static TrainingGraph of(EncoderRuntime runtime, DeltaLayout layout, boolean withDropout) {
        return runtime.graphFor("training:" + layout.key() + (withDropout ? ":dropout" : ""),
                tf -> new TrainingGraph(runtime, tf, layout, withDropout));
    }

    /** The graph a delta of this configuration trains on: with dropout inputs only if it uses LoRA dropout. */
    public static TrainingGraph forDelta(EncoderRuntime runtime, DeltaConfig config) {
        return of(runtime, config.layout(), config.loraDropout() > 0);
    }

    public boolean hasDropout() {
        return encoder.dropoutRate().isPresent();
    }

    public DeltaLayout layout() {
        return layout;
    }

    public EncoderArchitecture architecture() {
        return runtime.architecture();
    }

    /** What one step computed: the batch's mean loss and the gradient of each trained tensor. */
    public record StepResult(double loss, Map<String, float[]> gradients) {
    }

    /**
     * The loss of a batch and the gradients of the tensors named in {@code trained}.
     *
     * @param delta  everything the delta feeds ({@code Delta.inputs()})
     * @param oneHot {@code [texts, labels]} row-major, one 1 per row
     */
    public StepResult step(PackedBatch batch, float[] oneHot, Map<String, WeightTensor> delta,
                           Collection<String> trained, float dropoutRate, long dropoutSeed) {
        Session.Runner runner = runtime.session().runner();
        try (SessionFeed feed = feed(runner, batch, oneHot, delta, dropoutRate, dropoutSeed)) {
            runner.fetch(loss);
            List<String> names = new ArrayList<>(trained);
            for (String name : names) {
                Output<?> gradient = gradients.get(name);
                if (gradient == null) {
                    throw new IllegalArgumentException("Layout " + layout.key() + " trains no tensor " + name);
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
        }
    }

    /** The logits this graph computes for a batch (dropout off): what training optimizes. */
    public float[][] logits(PackedBatch batch, Map<String, WeightTensor> delta) {
        int labelCount = labelCount(delta);
        Session.Runner runner = runtime.session().runner();
        try (SessionFeed feed = feed(runner, batch, new float[batch.texts() * labelCount], delta, 0f, 0)) {
            try (Result result = runner.fetch(encoder.logits()).run()) {
                return TfTensors.rows((TFloat32) result.get(0));
            }
        }
    }

    /** The batch's mean loss only (dropout off). */
    public double loss(PackedBatch batch, float[] oneHot, Map<String, WeightTensor> delta) {
        Session.Runner runner = runtime.session().runner();
        try (SessionFeed feed = feed(runner, batch, oneHot, delta, 0f, 0)) {
            try (Result result = runner.fetch(loss).run()) {
                return ((TFloat32) result.get(0)).getFloat();
            }
        }
    }

    private static int labelCount(Map<String, WeightTensor> delta) {
        return Math.toIntExact(delta.get(DeltaLayout.HEAD_BIAS).dim(0));
    }

    /** Feeds the encoder's inputs, the delta, the labels and dropout inputs; the caller closes it after the run. */
    private SessionFeed feed(Session.Runner runner, PackedBatch batch, float[] oneHot, Map<String, WeightTensor> delta,
                      float dropoutRate, long dropoutSeed) {
        int labelCount = labelCount(delta);
        if (oneHot.length != batch.texts() * labelCount) {
            throw new IllegalArgumentException("Labels for " + oneHot.length / Math.max(1, labelCount)
                    + " rows and " + labelCount + " classes do not fit a batch of " + batch.texts());
        }
        SessionFeed feed = new SessionFeed(runner, encoder.inputs());
        try {
            EncoderGraph.describe(batch.requireFor(layout, runtime.architecture().maxPositions()), false, feed);
            DeltaStack.of(layout, runtime.architecture(), delta).describe(feed);
            feed.feed(labels, TfTensors.floats(oneHot, batch.texts(), labelCount));
            encoder.dropoutRate().ifPresent(rate -> feed.feed(rate, TFloat32.scalarOf(dropoutRate)));
            encoder.dropoutSeed().ifPresent(seed -> feed.feed(seed, TInt64.vectorOf(dropoutSeed, 0)));
            return feed;
        } catch (RuntimeException e) {
            feed.close();
            throw e;
        }
    }
}
