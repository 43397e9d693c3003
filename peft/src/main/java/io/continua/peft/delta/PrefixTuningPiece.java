package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.AttentionPrefix;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Prefix tuning in the graph: in every layer each text's queries also attend to the delta's
 * {@code virtualTokens} trained keys and values, in the same softmax as the text's own. The text's
 * tokens stay as they are: the prefix lives only in attention's per-text layout, so the packed rows
 * and their cost do not change. The tensor is PEFT's {@code prompt_embeddings}
 * {@code [virtual tokens, layers × 2 × hidden]}: for layer {@code l}, the key at columns
 * {@code [2l·hidden, (2l+1)·hidden)} and the value right after, as PEFT splits its past key values.
 */
public record PrefixTuningPiece(int virtualTokens) implements DeltaPiece {
    @Override
    public String layoutKey() {
        return "prefix_tuning(v=" + virtualTokens + ")";
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        return List.of(TensorSpec.trained(PromptTuningPiece.EMBEDDINGS, virtualTokens,
                2L * architecture.layers() * architecture.hiddenSize()));
    }

    @Override
    public Optional<AttentionPrefix> attentionPrefix(Sites sites, int layer) {
        int hidden = sites.architecture().hiddenSize();
        return Optional.of(AttentionPrefix.joint(columns(sites, 2 * layer * hidden, hidden),
                columns(sites, (2 * layer + 1) * hidden, hidden)));
    }

    /** {@code width} columns of the stacked prefixes from {@code start}, each text's delta's: {@code [texts, v, width]}. */
    private Operand<TFloat32> columns(Sites sites, int start, int width) {
        Ops tf = sites.tf();
        Operand<TFloat32> part = tf.slice(sites.delta(PromptTuningPiece.EMBEDDINGS), tf.constant(new int[] {0, 0, start}),
                tf.constant(new int[] {-1, virtualTokens, width}));
        return tf.gather(part, sites.deltaOfText(), tf.constant(0));
    }
}
