package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.Projection;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One delta kind's contribution to the encoder graph: the tensors it feeds, and the operations it
 * adds at named sites of the encoder. Every site defaults to leaving the encoder as it is, so a new
 * kind is a new piece that overrides the sites it needs, never an edit of the encoder. All token
 * activations are packed real tokens {@code [tokens, width]} (no padding); texts are rows of
 * {@code [texts, hidden]}. Use {@link Sites#perToken} to apply per-delta tensors.
 */
public interface DeltaPiece {
    /**
     * What makes this piece's graph differ from another's (e.g. {@code lora(r=8;query,value;all)}):
     * deltas whose pieces have equal keys share one graph and can share a batch.
     */
    String layoutKey();

    /** The tensors the piece feeds per delta. */
    List<TensorSpec> tensors(EncoderArchitecture architecture);

    /**
     * Rows the piece needs at the start of every text (prompt tuning's virtual tokens), whose word
     * embeddings it supplies at {@link #wordEmbeddings}; 0 for most pieces.
     */
    default int virtualTokens() {
        return 0;
    }

    /** The word embedding of every row, before position embeddings are added and the sum normalized. */
    default Operand<TFloat32> wordEmbeddings(Sites sites, Operand<TFloat32> words) {
        return words;
    }

    /** The normalized embeddings of every token, before the first layer. */
    default Operand<TFloat32> embeddings(Sites sites, Operand<TFloat32> hidden) {
        return hidden;
    }

    /** The output of one of a layer's linear projections, given its input. */
    default Operand<TFloat32> projection(Sites sites, int layer, Projection projection, Operand<TFloat32> input,
                                         Operand<TFloat32> output) {
        return output;
    }

    /**
     * Keys and values each text's queries attend to in {@code layer} besides its own tokens (prefix
     * tuning's prefixes, LLaMA-Adapter's adaption prompts); none by default.
     */
    default Optional<AttentionPrefix> attentionPrefix(Sites sites, int layer) {
        return Optional.empty();
    }

    /** The attention block's output (after its dense projection), before the residual and layer norm. */
    default Operand<TFloat32> attentionOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return hidden;
    }

    /** The feed-forward block's activated intermediate, {@code gelu(x W1 + b1)}, the input of its second projection. */
    default Operand<TFloat32> feedForwardActivation(Sites sites, int layer, Operand<TFloat32> activated) {
        return activated;
    }

    /** The feed-forward block's output (after its second projection), before the residual and layer norm. */
    default Operand<TFloat32> layerOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return hidden;
    }

    /**
     * A layer's result, after its last layer norm: the residual stream the next layer reads, where
     * representation interventions (ReFT) act.
     */
    default Operand<TFloat32> blockOutput(Sites sites, int layer, Operand<TFloat32> hidden) {
        return hidden;
    }

    /** The mean-pooled embedding of each text, before the classifier head. */
    default Operand<TFloat32> pooled(Sites sites, Operand<TFloat32> pooled) {
        return pooled;
    }
}
