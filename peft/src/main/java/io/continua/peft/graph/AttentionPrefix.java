package io.continua.peft.graph;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Keys and values a layer's queries attend to besides the text's own tokens, one set per text:
 * {@code [texts, n, hidden]} each, split into heads as the layer's own keys and values are. Without
 * a gate they join the text's keys in one softmax (prefix tuning: the prefix acts as past keys and
 * values); with a gate ({@code [texts]}) they get a softmax of their own whose result, scaled by
 * the gate, is added to the attention's context (LLaMA-Adapter's zero-initialized gated attention,
 * which leaves the base model as it is while the gate is 0).
 */
public record AttentionPrefix(Operand<TFloat32> keys, Operand<TFloat32> values, Optional<Operand<TFloat32>> gate) {
    public static AttentionPrefix joint(Operand<TFloat32> keys, Operand<TFloat32> values) {
        return new AttentionPrefix(keys, values, Optional.empty());
    }

    public static AttentionPrefix gated(Operand<TFloat32> keys, Operand<TFloat32> values, Operand<TFloat32> gate) {
        return new AttentionPrefix(keys, values, Optional.of(gate));
    }
}
