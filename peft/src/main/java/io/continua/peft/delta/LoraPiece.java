package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.Projection;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LoRA in the graph: on each target projection of each adapted layer, {@code W x + s B A x} where
 * {@code s = alpha / r} is fed per delta; in a mixed batch each token meets its own delta's factors.
 *
 * @param layers the adapted layers; empty means all
 */
public record LoraPiece(int rank, Set<Projection> targets, List<Integer> layers) implements DeltaPiece {
    public static final String SCALING = "lora.scaling";

    public static String a(int layer, Projection projection) {
        return "lora." + layer + "." + projection.key() + ".A";
    }

    public static String b(int layer, Projection projection) {
        return "lora." + layer + "." + projection.key() + ".B";
    }

    @Override
    public String layoutKey() {
        return "lora(r=" + rank + ";" + targets.stream().map(Projection::key).collect(Collectors.joining(","))
                + ";" + ChosenLayers.key(layers) + ")";
    }

    /** The adapted layers, resolved against the encoder. */
    List<Integer> layersOf(EncoderArchitecture architecture) {
        return ChosenLayers.resolve(layers, architecture, "LoRA");
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        List<TensorSpec> tensors = new ArrayList<>();
        for (int layer : layersOf(architecture)) {
            for (Projection projection : targets) {
                tensors.add(TensorSpec.trained(a(layer, projection), projection.inputSize(architecture), rank));
                tensors.add(TensorSpec.trained(b(layer, projection), rank, projection.outputSize(architecture)));
            }
        }
        tensors.add(TensorSpec.setting(SCALING));
        return tensors;
    }

    @Override
    public Operand<TFloat32> projection(Sites sites, int layer, Projection projection, Operand<TFloat32> input,
                                        Operand<TFloat32> output) {
        if (!targets.contains(projection) || !layersOf(sites.architecture()).contains(layer)) {
            return output;
        }
        Ops tf = sites.tf();
        Operand<TFloat32> scaling = sites.broadcastPerDelta(tf.expandDims(sites.delta(SCALING), tf.constant(-1)));
        Operand<TFloat32> update = sites.perToken(input, tokens -> {
            Operand<TFloat32> down = sites.batchMatMul(sites.dropout(tokens), sites.delta(a(layer, projection)));
            return sites.batchMatMul(tf.math.mul(down, scaling), sites.delta(b(layer, projection)));
        });
        return tf.math.add(output, update);
    }
}
