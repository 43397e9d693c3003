package io.continua.peft.delta;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of parameter-efficient delta Continua trains. */
public enum DeltaKind {
    /** Low-rank updates of chosen projections (Hu et al. 2021), as Hugging Face PEFT's LoRA. */
    LORA,
    /** Bottleneck adapters after attention and/or feed-forward blocks (Houlsby et al. 2019; Pfeiffer et al. 2020). */
    ADAPTER,
    /** Learned rescaling of keys, values and feed-forward activations (Liu et al. 2022), as PEFT's IA3. */
    IA3,
    /** A low-rank intervention on chosen layers' outputs at chosen positions (Wu et al. 2024), as pyreft's LoReFT. */
    LOREFT,
    /** A trained soft prompt before every text (Lester et al. 2021), as PEFT's PROMPT_TUNING. */
    PROMPT_TUNING,
    /** Trained keys and values before every layer's own (Li and Liang 2021), as PEFT's PREFIX_TUNING. */
    PREFIX_TUNING,
    /** Adaption prompts with zero-initialized gated attention in the top layers (Zhang et al. 2023). */
    LLAMA_ADAPTER,
    /** Attention over other domains' frozen adapters (Pfeiffer et al. 2021), composing what they learned. */
    ADAPTER_FUSION,
    /** A linear classifier on the frozen pooled embedding: the baseline. */
    HEAD;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeltaKind fromKey(String key) {
        return Arrays.stream(values()).filter(kind -> kind.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown delta kind '" + key + "'; expected one of "
                        + Arrays.stream(values()).map(DeltaKind::key).toList()));
    }
}
