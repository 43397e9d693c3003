package io.continua.peft.delta;

import io.continua.peft.graph.DeltaLayout;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prefix tuning (Li and Liang 2021, "Prefix-Tuning: Optimizing Continuous Prompts for Generation"):
 * trained keys and values that every layer's attention sees before the text's own, the encoder
 * frozen. As Hugging Face PEFT's {@code PrefixTuningConfig} ({@code PREFIX_TUNING}) with its default
 * {@code prefix_projection=false}: the prefixes are trained directly, not through the paper's MLP
 * reparameterization (which PEFT, too, drops from what it saves).
 *
 * @param virtualTokens PEFT's {@code num_virtual_tokens}: the prefix length
 */
public record PrefixTuningConfig(int virtualTokens) implements DeltaConfig {
    public PrefixTuningConfig {
        PromptTuningConfig.checkVirtualTokens("Prefix tuning", virtualTokens);
    }

    public static PrefixTuningConfig defaults() {
        return new PrefixTuningConfig(20);
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.PREFIX_TUNING;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new PrefixTuningPiece(virtualTokens)));
    }

    /** A standard normal per entry, as PEFT's prefix embedding starts. */
    @Override
    public float[] initialValues(String tensor, long[] shape, Random random) {
        return PromptTuningConfig.embeddings(shape, random);
    }

    @Override
    public Map<String, String> hyperparameters() {
        return PromptTuningConfig.hyperparameters(kind(), virtualTokens);
    }
}
