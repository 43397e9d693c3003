package io.continua.peft.graph;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The padding-free encoder of one {@link DeltaLayout}, as built in a graph: the packed-batch
 * inputs, one placeholder per delta tensor (stacked: {@code [deltas, ...]}), the pooled embedding,
 * logits and probabilities of every text, and in training graphs the dropout inputs. A mixed graph
 * also takes the per-delta layout of tokens and texts, so one batch can hold texts of several
 * deltas; a single-delta graph (training, evaluation) takes exactly one delta and no such inputs.
 */
public record EncoderGraph(boolean mixed, Map<String, Placeholder<TInt32>> indexInputs,
                           Placeholder<TFloat32> attentionMask, Map<String, Placeholder<TFloat32>> deltaInputs,
                           Operand<TFloat32> pooled, Operand<TFloat32> logits, Operand<TFloat32> probabilities,
                           Optional<Placeholder<TFloat32>> dropoutRate, Optional<Placeholder<TInt64>> dropoutSeed) {
    public static final String TOKEN_IDS = "token_ids";
    public static final String POSITIONS = "positions";
    public static final String ATTENTION_GATHER = "attention_gather";
    public static final String ATTENTION_SCATTER = "attention_scatter";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_GROUP_GATHER = "token_group_gather";
    public static final String TOKEN_GROUP_SCATTER = "token_group_scatter";
    public static final String ROW_GROUP_GATHER = "row_group_gather";
    public static final String ROW_GROUP_SCATTER = "row_group_scatter";
    public static final String POOLED = "pooled";
    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";
    public static final String DROPOUT_RATE = "dropout_rate";
    public static final String DROPOUT_SEED = "dropout_seed";

    public EncoderGraph {
        indexInputs = Map.copyOf(indexInputs);
        deltaInputs = Map.copyOf(deltaInputs);
    }

    /** Every input by name: the batch's index inputs, the attention mask, the delta tensors. */
    public Map<String, Placeholder<?>> inputs() {
        Map<String, Placeholder<?>> inputs = new HashMap<>(indexInputs);
        inputs.put(ATTENTION_MASK, attentionMask);
        inputs.putAll(deltaInputs);
        return inputs;
    }

    /** Feeds a batch's layout: the packed tokens, attention's per-text layout and, if mixed, the per-delta one. */
    public static void describe(PackedBatch batch, boolean mixed, BatchFeed feed) {
        feed.ints(TOKEN_IDS, batch.tokenIds(), batch.tokens());
        feed.ints(POSITIONS, batch.positions(), batch.tokens());
        feed.ints(ATTENTION_GATHER, batch.attentionGather(), (long) batch.texts() * batch.longest());
        feed.ints(ATTENTION_SCATTER, batch.attentionScatter(), batch.tokens());
        feed.floats(ATTENTION_MASK, batch.attentionMask(), batch.texts(), batch.longest());
        if (mixed) {
            feed.ints(TOKEN_GROUP_GATHER, batch.tokenGroupGather(), batch.groups(), batch.groupTokens());
            feed.ints(TOKEN_GROUP_SCATTER, batch.tokenGroupScatter(), batch.tokens());
            feed.ints(ROW_GROUP_GATHER, batch.rowGroupGather(), batch.groups(), batch.groupRows());
            feed.ints(ROW_GROUP_SCATTER, batch.rowGroupScatter(), batch.texts());
        } else if (batch.groups() != 1) {
            throw new IllegalArgumentException("A single-delta graph cannot run a batch of " + batch.groups()
                    + " deltas");
        }
    }
}
