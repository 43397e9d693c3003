package io.continua.peft.delta;

import io.continua.peft.graph.DeltaLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LLaMA-Adapter (Zhang et al. 2023, "LLaMA-Adapter: Efficient Fine-tuning of Language Models with
 * Zero-init Attention"): adaption prompts in the top layers, attended through the layers' frozen
 * key and value projections with a softmax of their own, gated by a factor that starts at zero. As
 * Hugging Face PEFT's {@code AdaptionPromptConfig} ({@code ADAPTION_PROMPT}, which PEFT offers for
 * decoder models only), with its names: {@code adapter_len}, {@code adapter_layers}, and the tensors
 * {@code adaption_prompt} and {@code adaption_gate}, a plain gate as PEFT's (the paper's code takes its tanh).
 *
 * @param length    prompt vectors per layer ({@code adapter_len})
 * @param topLayers how many of the top layers get a prompt ({@code adapter_layers}); 0 means all
 */
public record LlamaAdapterConfig(int length, int topLayers) implements DeltaConfig {
    public LlamaAdapterConfig {
        if (length < 1 || length > PromptTuningConfig.MAX_VIRTUAL_TOKENS) {
            throw new IllegalArgumentException("LLaMA-Adapter needs an adapter_len of 1.."
                    + PromptTuningConfig.MAX_VIRTUAL_TOKENS + ", got " + length);
        }
        if (topLayers < 0) {
            throw new IllegalArgumentException("adapter_layers must be positive (or 'all'), got " + topLayers);
        }
    }

    /** The paper's prompt length, 10, in every layer. */
    public static LlamaAdapterConfig defaults() {
        return new LlamaAdapterConfig(10, 0);
    }

    /**
     * 1e-2, as the paper's 9e-3: the gates start at zero and must open before the prompts learn
     * (0.932 on Banking77 against 0.929 at the general 2e-3).
     */
    @Override
    public double learningRate() {
        return 1e-2;
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.LLAMA_ADAPTER;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new LlamaAdapterPiece(length, topLayers)));
    }

    /** Prompts from a standard normal, as PEFT's; gates at zero, so the delta starts as the base model. */
    @Override
    public float[] initialValues(String tensor, long[] shape, Random random) {
        int count = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
        return tensor.endsWith(LlamaAdapterPiece.GATE) ? new float[count] : DeltaConfig.normal(count, 1, random);
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind().key());
        values.put("adapter_len", Integer.toString(length));
        values.put("adapter_layers", topLayers == 0 ? "all" : Integer.toString(topLayers));
        return values;
    }
}
