package io.continua.peft.graph;

import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The encoder with a delta, as built in a graph: token inputs, one placeholder per {@link DeltaSlot},
 * the pooled embedding, logits and class probabilities, and in training graphs the LoRA dropout inputs.
 */
public record EncoderGraph(Placeholder<TInt32> inputIds, Placeholder<TInt32> attentionMask,
                           Map<String, Placeholder<TFloat32>> deltaInputs,
                           Operand<TFloat32> pooled, Operand<TFloat32> logits, Operand<TFloat32> probabilities,
                           Optional<Placeholder<TFloat32>> dropoutRate, Optional<Placeholder<TInt64>> dropoutSeed) {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POOLED = "pooled";
    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";
    public static final String DROPOUT_RATE = "lora.dropout_rate";
    public static final String DROPOUT_SEED = "lora.dropout_seed";

    public EncoderGraph {
        deltaInputs = Map.copyOf(deltaInputs);
    }
}
