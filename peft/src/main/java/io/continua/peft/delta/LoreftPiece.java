package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LoReFT in the graph: at a chosen layer's output, {@code h + Rᵀ(W h + b − R h)} on the chosen
 * positions of each text. Tensors are kept {@code [in, out]} like every linear map here: the
 * rotation is {@code Rᵀ} ({@code [hidden, r]}, orthonormal columns), the source {@code Wᵀ}. In a
 * mixed batch each token meets its own delta's intervention.
 */
public record LoreftPiece(int rank, List<Integer> layers, int first, int last) implements DeltaPiece {
    static final String ROTATION = ".rotation";
    static final String SOURCE = ".source";
    static final String BIAS = ".source_bias";

    public static String rotation(int layer) {
        return "loreft." + layer + ROTATION;
    }

    public static String source(int layer) {
        return "loreft." + layer + SOURCE;
    }

    public static String sourceBias(int layer) {
        return "loreft." + layer + BIAS;
    }

    @Override
    public String layoutKey() {
        return "loreft(r=" + rank + ";" + ChosenLayers.key(layers) + ";f" + first + "+l" + last + ")";
    }

    List<Integer> layersOf(EncoderArchitecture architecture) {
        return ChosenLayers.resolve(layers, architecture, "LoReFT");
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        if (rank > architecture.hiddenSize()) {
            throw new IllegalArgumentException("LoReFT rank " + rank + " exceeds the hidden size "
                    + architecture.hiddenSize());
        }
        List<TensorSpec> tensors = new ArrayList<>();
        for (int layer : layersOf(architecture)) {
            tensors.add(TensorSpec.trained(rotation(layer), architecture.hiddenSize(), rank));
            tensors.add(TensorSpec.trained(source(layer), architecture.hiddenSize(), rank));
            tensors.add(TensorSpec.trained(sourceBias(layer), rank));
        }
        return tensors;
    }

    @Override
    public Operand<TFloat32> blockOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        if (!layersOf(sites.architecture()).contains(layer)) {
            return hidden;
        }
        Ops tf = sites.tf();
        Operand<TFloat32> edit = sites.perToken(hidden, tokens -> {
            Operand<TFloat32> rotation = sites.delta(rotation(layer));
            Operand<TFloat32> projected = sites.batchMatMul(tokens, rotation);
            Operand<TFloat32> source = tf.math.add(sites.batchMatMul(tokens, sites.delta(source(layer))),
                    sites.broadcastPerDelta(sites.delta(sourceBias(layer))));
            return sites.batchMatMul(tf.math.sub(source, projected),
                    tf.linalg.transpose(rotation, tf.constant(new int[] {0, 2, 1})));
        });
        if (first == 0 && last == 0) {
            return tf.math.add(hidden, edit);
        }
        Operand<TFloat32> chosen = tf.dtypes.cast(tf.math.logicalOr(tf.math.less(sites.positions(), tf.constant(first)),
                tf.math.less(sites.positionsFromEnd(), tf.constant(last))), TFloat32.class);
        return tf.math.add(hidden, tf.math.mul(edit, tf.expandDims(chosen, tf.constant(-1))));
    }
}
