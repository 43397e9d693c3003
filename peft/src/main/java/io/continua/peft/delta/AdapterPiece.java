package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Bottleneck adapters in the graph: {@code h + U relu(D h + d) + u} after the attention output
 * (Houlsby placement only) and after the feed-forward output of every layer, before the residual
 * and layer norm; in a mixed batch each token meets its own delta's adapter.
 */
public record AdapterPiece(AdapterConfig.Placement placement, int reductionFactor) implements DeltaPiece {

    /** Where an adapter sits in a layer: after the attention output or after the feed-forward output. */
    public enum Position {
        ATTENTION, OUTPUT;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static String down(int layer, Position position) {
        return prefix(layer, position) + ".down";
    }

    public static String downBias(int layer, Position position) {
        return prefix(layer, position) + ".down_bias";
    }

    public static String up(int layer, Position position) {
        return prefix(layer, position) + ".up";
    }

    public static String upBias(int layer, Position position) {
        return prefix(layer, position) + ".up_bias";
    }

    private static String prefix(int layer, Position position) {
        return "adapter." + layer + "." + position.key();
    }

    boolean uses(Position position) {
        return position == Position.OUTPUT || placement == AdapterConfig.Placement.HOULSBY;
    }

    @Override
    public String layoutKey() {
        return "adapter(" + placement.key() + ";" + reductionFactor + ")";
    }

    /** Hidden size divided by the reduction factor (24 on a 384-wide encoder with factor 16). */
    int bottleneck(EncoderArchitecture architecture) {
        return Math.max(1, architecture.hiddenSize() / reductionFactor);
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        int hidden = architecture.hiddenSize();
        int bottleneck = bottleneck(architecture);
        List<TensorSpec> tensors = new ArrayList<>();
        for (int layer = 0; layer < architecture.layers(); layer++) {
            for (Position position : Position.values()) {
                if (uses(position)) {
                    tensors.add(TensorSpec.trained(down(layer, position), hidden, bottleneck));
                    tensors.add(TensorSpec.trained(downBias(layer, position), bottleneck));
                    tensors.add(TensorSpec.trained(up(layer, position), bottleneck, hidden));
                    tensors.add(TensorSpec.trained(upBias(layer, position), hidden));
                }
            }
        }
        return tensors;
    }

    @Override
    public Operand<TFloat32> attentionOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return uses(Position.ATTENTION) ? adapt(sites, layer, Position.ATTENTION, hidden) : hidden;
    }

    @Override
    public Operand<TFloat32> layerOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return adapt(sites, layer, Position.OUTPUT, hidden);
    }

    private Operand<TFloat32> adapt(Sites sites, int layer, Position position, Operand<TFloat32> hidden) {
        Operand<TFloat32> update = sites.perToken(hidden, tokens -> bottleneck(sites, tokens, "", layer, position));
        return sites.tf().math.add(hidden, update);
    }

    /**
     * {@code U relu(D h + d) + u} on grouped tokens {@code [deltas, n, hidden]}, with the tensors of the
     * adapter named {@code prefix + down(layer, position)} and so on: a delta's own adapter, or a
     * source adapter an AdapterFusion delta carries.
     */
    static Operand<TFloat32> bottleneck(Sites sites, Operand<TFloat32> tokens, String prefix, int layer,
                                        Position position) {
        Ops tf = sites.tf();
        Operand<TFloat32> down = tf.nn.relu(tf.math.add(sites.batchMatMul(tokens,
                sites.delta(prefix + down(layer, position))),
                sites.broadcastPerDelta(sites.delta(prefix + downBias(layer, position)))));
        return tf.math.add(sites.batchMatMul(down, sites.delta(prefix + up(layer, position))),
                sites.broadcastPerDelta(sites.delta(prefix + upBias(layer, position))));
    }
}
