package io.continua.peft.delta;

import io.continua.peft.graph.DeltaLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prompt tuning (Lester et al. 2021, "The Power of Scale for Parameter-Efficient Prompt Tuning"):
 * a soft prompt of {@code virtualTokens} trained embeddings before every text, the encoder frozen.
 * As Hugging Face PEFT's {@code PromptTuningConfig} ({@code PROMPT_TUNING}): the prompt replaces
 * word embeddings at positions {@code 0..v-1}, the text follows. The text's embedding averages its
 * own tokens only; the prompt acts through attention.
 *
 * @param virtualTokens PEFT's {@code num_virtual_tokens}
 */
public record PromptTuningConfig(int virtualTokens) implements DeltaConfig {
    /**
     * At most this many: with the tokenizer's default 128 tokens a text fits the encoder's 512
     * positions; serving cuts longer texts further to make room (see {@code Tokens.limit}).
     */
    static final int MAX_VIRTUAL_TOKENS = 128;

    public PromptTuningConfig {
        checkVirtualTokens("Prompt tuning", virtualTokens);
    }

    public static PromptTuningConfig defaults() {
        return new PromptTuningConfig(20);
    }

    static void checkVirtualTokens(String kind, int virtualTokens) {
        if (virtualTokens < 1 || virtualTokens > MAX_VIRTUAL_TOKENS) {
            throw new IllegalArgumentException(kind + " needs 1.." + MAX_VIRTUAL_TOKENS + " virtual tokens, got "
                    + virtualTokens);
        }
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.PROMPT_TUNING;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new PromptTuningPiece(virtualTokens)));
    }

    /**
     * PEFT's {@code RANDOM} initialization, a standard normal per entry (its embedding module's
     * default); the layer norm after the position embedding is added brings it to the scale of words.
     */
    @Override
    public float[] initialValues(String tensor, long[] shape, Random random) {
        return embeddings(shape, random);
    }

    @Override
    public Map<String, String> hyperparameters() {
        return hyperparameters(kind(), virtualTokens);
    }

    /** A prompt-learning method's embeddings as PEFT starts them: a standard normal per entry. */
    static float[] embeddings(long[] shape, Random random) {
        return DeltaConfig.normal((int) (shape[0] * shape[1]), 1, random);
    }

    /** A prompt-learning method's settings: its kind and its virtual tokens. */
    static Map<String, String> hyperparameters(DeltaKind kind, int virtualTokens) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind.key());
        values.put("virtual_tokens", Integer.toString(virtualTokens));
        return values;
    }
}
