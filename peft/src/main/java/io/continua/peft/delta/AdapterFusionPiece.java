package io.continua.peft.delta;

import io.continua.peft.delta.AdapterPiece.Position;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * AdapterFusion in the graph: wherever the sources' adapters sit, each source adapter's output
 * {@code o_i = h + A_i(h)} is computed from the same {@code h}, and the delta's low-rank query
 * ({@code h W_q}) attends over their keys ({@code o_i W_k}): the position's result is the
 * softmax-weighted sum of the {@code o_i}. The sources are frozen tensors the delta carries
 * ({@code fusion.source.<i>.} + the adapter's own names); only the queries and keys (and the head) train.
 */
public record AdapterFusionPiece(int sources, AdapterConfig.Placement placement, int reductionFactor, int rank)
        implements DeltaPiece {
    /** The name a source adapter's tensor {@code slot} has inside a fusion delta. */
    public static String source(int index, String slot) {
        return "fusion.source." + index + "." + slot;
    }

    public static String query(int layer, Position position) {
        return "fusion." + layer + "." + position.key() + ".query";
    }

    public static String key(int layer, Position position) {
        return "fusion." + layer + "." + position.key() + ".key";
    }

    private AdapterPiece sourceAdapter() {
        return new AdapterPiece(placement, reductionFactor);
    }

    @Override
    public String layoutKey() {
        return "adapter_fusion(sources=" + sources + ";" + placement.key() + ";" + reductionFactor + ";r=" + rank + ")";
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        List<TensorSpec> tensors = new ArrayList<>();
        AdapterPiece adapter = sourceAdapter();
        for (int index = 0; index < sources; index++) {
            for (TensorSpec spec : adapter.tensors(architecture)) {
                tensors.add(TensorSpec.frozen(source(index, spec.name()), spec.shape()));
            }
        }
        for (int layer = 0; layer < architecture.layers(); layer++) {
            for (Position position : Position.values()) {
                if (adapter.uses(position)) {
                    tensors.add(TensorSpec.trained(query(layer, position), architecture.hiddenSize(), rank));
                    tensors.add(TensorSpec.trained(key(layer, position), architecture.hiddenSize(), rank));
                }
            }
        }
        return tensors;
    }

    @Override
    public Operand<TFloat32> attentionOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return sourceAdapter().uses(Position.ATTENTION) ? fuse(sites, layer, Position.ATTENTION, hidden) : hidden;
    }

    @Override
    public Operand<TFloat32> layerOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return fuse(sites, layer, Position.OUTPUT, hidden);
    }

    private Operand<TFloat32> fuse(Sites sites, int layer, Position position, Operand<TFloat32> hidden) {
        Ops tf = sites.tf();
        return sites.perToken(hidden, tokens -> {
            Operand<TFloat32> query = sites.batchMatMul(tokens, sites.delta(query(layer, position)));
            List<Operand<TFloat32>> outputs = new ArrayList<>();
            List<Operand<TFloat32>> scores = new ArrayList<>();
            for (int index = 0; index < sources; index++) {
                Operand<TFloat32> output = tf.math.add(tokens,
                        AdapterPiece.bottleneck(sites, tokens, source(index, ""), layer, position));
                Operand<TFloat32> key = sites.batchMatMul(output, sites.delta(key(layer, position)));
                outputs.add(output);
                scores.add(tf.reduceSum(tf.math.mul(query, key), tf.constant(-1), ReduceSum.keepDims(true)));
            }
            Operand<TFloat32> weights = tf.nn.softmax(tf.math.mul(tf.concat(scores, tf.constant(-1)),
                    tf.constant((float) (1 / Math.sqrt(rank)))));
            Operand<TFloat32> fused = null;
            for (int index = 0; index < sources; index++) {
                Operand<TFloat32> weight = tf.slice(weights, tf.constant(new int[] {0, 0, index}),
                        tf.constant(new int[] {-1, -1, 1}));
                Operand<TFloat32> part = tf.math.mul(weight, outputs.get(index));
                fused = fused == null ? part : tf.math.add(fused, part);
            }
            return fused;
        });
    }
}
