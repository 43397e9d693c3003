package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.EncoderWeights;
import io.continua.peft.encoder.Projection;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.runtime.Precision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * The frozen encoder's parameters as variables of a graph, placed on the graph's device and
 * restored once: every encoder built in that graph reads them, so no call ever feeds or copies the
 * base. Some are stored already combined as the encoder uses them: the query, key and value
 * projections of a layer as one {@code [hidden, 3 * hidden]} matrix (one product instead of three),
 * and the position embeddings with token type 0 added. The linear layers are kept in the
 * precisions the graph runs its products in ({@link Precision}).
 */
public final class ResidentBase {
    public static final String POSITION_AND_TYPE = "embeddings.position_and_type_embeddings.weight";
    private static final String SCOPE = "base";

    private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
    private final Map<String, Variable<TBfloat16>> halves = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> initialValues = new LinkedHashMap<>();
    private final List<Operand<?>> assignments = new ArrayList<>();
    private final Map<String, WeightTensor> values;

    private ResidentBase(Ops tf, EncoderWeights weights, Set<Precision> precisions) {
        this.values = residentTensors(weights);
        Set<String> linear = linearParameters(weights.architecture());
        Ops scope = tf.withSubScope(SCOPE);
        values.forEach((name, tensor) -> {
            Shape shape = Shape.of(tensor.shape());
            Placeholder<TFloat32> initial = scope.withName(name + ".initial_value")
                    .placeholder(TFloat32.class, Placeholder.shape(shape));
            initialValues.put(name, initial);
            if (!linear.contains(name) || precisions.contains(Precision.FP32)) {
                Variable<TFloat32> variable = scope.withName(name).variable(shape, TFloat32.class);
                variables.put(name, variable);
                assignments.add(tf.assign(variable, initial));
            }
            if (linear.contains(name) && precisions.contains(Precision.BF16)) {
                Variable<TBfloat16> half = scope.withName(name + ".bf16").variable(shape, TBfloat16.class);
                halves.put(name, half);
                assignments.add(tf.assign(half, tf.dtypes.cast(initial, TBfloat16.class)));
            }
        });
    }

    /**
     * Declares the variables (and their initializers) in {@code tf}'s graph: every parameter in
     * float32, except the linear layers' matrices and biases, which are kept in each of the
     * {@code precisions} the graph's products run in.
     */
    public static ResidentBase declare(Ops tf, EncoderWeights weights, Set<Precision> precisions) {
        return new ResidentBase(tf, weights, precisions);
    }

    /** A resident parameter in float32. */
    public Operand<TFloat32> get(String name) {
        Variable<TFloat32> variable = variables.get(name);
        if (variable == null) {
            throw new IllegalArgumentException("No float32 resident base parameter " + name);
        }
        return variable;
    }

    /** The bfloat16 copy of a linear layer's weight or bias. */
    public Operand<TBfloat16> bf16(String name) {
        Variable<TBfloat16> half = halves.get(name);
        if (half == null) {
            throw new IllegalArgumentException("No bfloat16 resident base parameter " + name);
        }
        return half;
    }

    /** Writes the values into the variables: once per session, before anything reads them. */
    public void restore(Session session) {
        List<Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            values.forEach((name, tensor) -> {
                TFloat32 value = TfTensors.floats(tensor);
                fed.add(value);
                runner.feed(initialValues.get(name), value);
            });
            assignments.forEach(runner::addTarget);
            runner.run();
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    /** The weights and biases of the linear layers: what runs in the graph's precision. */
    private static Set<String> linearParameters(EncoderArchitecture architecture) {
        Set<String> names = new HashSet<>();
        for (int layer = 0; layer < architecture.layers(); layer++) {
            names.add(qkvWeight(layer));
            names.add(qkvBias(layer));
            for (Projection projection : List.of(Projection.ATTENTION_OUTPUT, Projection.INTERMEDIATE, Projection.OUTPUT)) {
                names.add(projection.weightName(layer));
                names.add(projection.biasName(layer));
            }
        }
        return names;
    }

    /** The fused query-key-value weight of a layer. */
    public static String qkvWeight(int layer) {
        return EncoderWeights.layerPrefix(layer) + "attention.self.qkv.weight";
    }

    public static String qkvBias(int layer) {
        return EncoderWeights.layerPrefix(layer) + "attention.self.qkv.bias";
    }

    /** The parameters as the encoder graph reads them: the Hugging Face ones, with q/k/v fused and types folded in. */
    static Map<String, WeightTensor> residentTensors(EncoderWeights weights) {
        EncoderArchitecture architecture = weights.architecture();
        int hidden = architecture.hiddenSize();
        Map<String, WeightTensor> resident = new LinkedHashMap<>();
        resident.put(EncoderWeights.WORD_EMBEDDINGS, weights.get(EncoderWeights.WORD_EMBEDDINGS));
        WeightTensor positions = weights.get(EncoderWeights.POSITION_EMBEDDINGS);
        float[] typeZero = weights.get(EncoderWeights.TOKEN_TYPE_EMBEDDINGS).values();
        float[] positionAndType = positions.values().clone();
        for (int i = 0; i < positionAndType.length; i++) {
            positionAndType[i] += typeZero[i % hidden];
        }
        resident.put(POSITION_AND_TYPE, new WeightTensor(POSITION_AND_TYPE, positions.shape(), positionAndType));
        copyNorm(weights, resident, EncoderWeights.EMBEDDINGS_NORM);
        for (int layer = 0; layer < architecture.layers(); layer++) {
            List<Projection> qkv = List.of(Projection.QUERY, Projection.KEY, Projection.VALUE);
            float[] weight = new float[hidden * 3 * hidden];
            float[] bias = new float[3 * hidden];
            for (int part = 0; part < 3; part++) {
                float[] source = weights.get(qkv.get(part).weightName(layer)).values();
                for (int row = 0; row < hidden; row++) {
                    System.arraycopy(source, row * hidden, weight, row * 3 * hidden + part * hidden, hidden);
                }
                System.arraycopy(weights.get(qkv.get(part).biasName(layer)).values(), 0, bias, part * hidden, hidden);
            }
            resident.put(qkvWeight(layer), new WeightTensor(qkvWeight(layer), new long[] {hidden, 3L * hidden}, weight));
            resident.put(qkvBias(layer), new WeightTensor(qkvBias(layer), new long[] {3L * hidden}, bias));
            for (Projection projection : List.of(Projection.ATTENTION_OUTPUT, Projection.INTERMEDIATE, Projection.OUTPUT)) {
                resident.put(projection.weightName(layer), weights.get(projection.weightName(layer)));
                resident.put(projection.biasName(layer), weights.get(projection.biasName(layer)));
            }
            copyNorm(weights, resident, EncoderWeights.attentionNorm(layer));
            copyNorm(weights, resident, EncoderWeights.outputNorm(layer));
        }
        return resident;
    }

    private static void copyNorm(EncoderWeights weights, Map<String, WeightTensor> resident, String norm) {
        resident.put(norm + ".weight", weights.get(norm + ".weight"));
        resident.put(norm + ".bias", weights.get(norm + ".bias"));
    }
}
