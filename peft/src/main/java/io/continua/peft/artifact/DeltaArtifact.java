package io.continua.peft.artifact;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.delta.Ia3Config;
import io.continua.peft.delta.Ia3Piece;
import io.continua.peft.delta.LlamaAdapterConfig;
import io.continua.peft.delta.LlamaAdapterPiece;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.delta.PrefixTuningConfig;
import io.continua.peft.delta.PromptTuningConfig;
import io.continua.peft.delta.PromptTuningPiece;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.encoder.Projection;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.training.OptimizerState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A delta packed as one zip archive, named by its SHA-256:
 * <ul>
 * <li>{@code adapter_model.safetensors}: the tensors under Hugging Face PEFT names, PyTorch layout;</li>
 * <li>{@code adapter_config.json}: PEFT's LoRA configuration fields (an adapter or head delta
 *     describes itself with the same keys where they apply);</li>
 * <li>{@code labels.json}: the head's classes in order;</li>
 * <li>{@code continua.json}: format version, kind, hyperparameters and the base-model fingerprint;</li>
 * <li>{@code optimizer.safetensors} (optional): AdamW's moments and step, to resume training.</li>
 * </ul>
 * The same delta always packs to the same bytes.
 */
public final class DeltaArtifact {
    public static final String MODEL = "adapter_model.safetensors";
    public static final String CONFIG = "adapter_config.json";
    public static final String LABELS = "labels.json";
    public static final String MANIFEST = "continua.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final int FORMAT_VERSION = 1;
    static final Set<String> ENTRIES = Set.of(MODEL, CONFIG, LABELS, MANIFEST, OPTIMIZER);
    static final String FIRST_MOMENT = "exp_avg/";
    static final String SECOND_MOMENT = "exp_avg_sq/";
    static final String STEP = "step";
    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    /** 1980-01-01, the zip epoch: a fixed time keeps archives byte-identical. */
    private static final long ENTRY_TIME = 315_532_800_000L;

    private DeltaArtifact() {
    }

    /** An archive and its SHA-256 in lower-case hex. */
    public record Packed(byte[] bytes, String sha256) {
    }

    public static Packed pack(Delta delta, String baseFingerprint, Optional<OptimizerState> optimizer) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(MANIFEST, json(manifest(delta, baseFingerprint)));
        entries.put(CONFIG, json(peftConfig(delta)));
        entries.put(LABELS, json(delta.labels()));
        List<WeightTensor> tensors = Stream.concat(delta.parameters().stream(), delta.frozen().stream())
                .map(PeftLayout::toPeft).toList();
        entries.put(MODEL, SafeTensors.write(tensors, Map.of("format", "pt")));
        optimizer.ifPresent(state -> entries.put(OPTIMIZER, optimizerTensors(state)));
        byte[] bytes = zip(entries);
        return new Packed(bytes, sha256(bytes));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static Map<String, Object> manifest(Delta delta, String baseFingerprint) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format_version", FORMAT_VERSION);
        manifest.put("kind", delta.config().kind().key());
        manifest.put("base_model", baseFingerprint);
        manifest.put("pooling", "mean");
        manifest.put("hyperparameters", delta.config().hyperparameters());
        manifest.put("label_count", delta.labels().size());
        manifest.put("trainable_parameters", delta.trainableParameters());
        return manifest;
    }

    /** PEFT's LoraConfig fields; for other kinds the fields that describe them. */
    private static Map<String, Object> peftConfig(Delta delta) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("base_model_name_or_path", "sentence-transformers/all-MiniLM-L6-v2");
        config.put("task_type", "FEATURE_EXTRACTION");
        config.put("inference_mode", true);
        config.put("modules_to_save", List.of("classifier"));
        if (delta.config() instanceof LoraConfig lora) {
            config.put("peft_type", "LORA");
            config.put("r", lora.rank());
            config.put("lora_alpha", lora.alpha());
            config.put("lora_dropout", lora.dropout());
            config.put("target_modules", modulePattern(lora.targets()));
            config.put("layers_to_transform", lora.layers().isEmpty() ? null : lora.layers());
            config.put("layers_pattern", lora.layers().isEmpty() ? null : "layer");
            config.put("bias", "none");
            config.put("fan_in_fan_out", false);
            config.put("init_lora_weights", true);
            config.put("use_rslora", false);
            config.put("use_dora", false);
        } else if (delta.config() instanceof Ia3Config ia3) {
            config.put("peft_type", "IA3");
            config.put("target_modules", modulePattern(ia3.targets()));
            Set<Projection> feedForward = ia3.targets().stream().filter(Ia3Piece::scalesInput)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(Projection.class)));
            config.put("feedforward_modules", feedForward.isEmpty() ? List.of() : modulePattern(feedForward));
            config.put("fan_in_fan_out", false);
            config.put("init_ia3_weights", true);
        } else if (delta.config() instanceof PromptTuningConfig prompt) {
            promptLearning(config, "PROMPT_TUNING", prompt.virtualTokens(), delta);
            config.put("prompt_tuning_init", "RANDOM");
        } else if (delta.config() instanceof PrefixTuningConfig prefix) {
            promptLearning(config, "PREFIX_TUNING", prefix.virtualTokens(), delta);
            int hidden = (int) delta.parameter(DeltaLayout.HEAD_WEIGHT).dim(0);
            config.put("num_layers", delta.parameter(PromptTuningPiece.EMBEDDINGS).dim(1) / (2L * hidden));
            config.put("encoder_hidden_size", hidden);
            config.put("prefix_projection", false);
        } else if (delta.config() instanceof LlamaAdapterConfig llama) {
            config.put("peft_type", "ADAPTION_PROMPT");
            config.put("adapter_len", llama.length());
            config.put("adapter_layers", delta.parameters().stream().filter(tensor -> LlamaAdapterPiece.isGate(
                    tensor.name())).count());
            config.put("target_modules", "attention.self");
        } else {
            config.put("peft_type", switch (delta.config().kind()) {
                case ADAPTER -> "BOTTLENECK_ADAPTER";
                case LOREFT -> "LOREFT";
                case ADAPTER_FUSION -> "ADAPTER_FUSION";
                default -> "CLASSIFIER_HEAD";
            });
            config.putAll(delta.config().hyperparameters());
        }
        return config;
    }

    /**
     * The fields PEFT's prompt-learning configurations share. {@code num_attention_heads} (and, for
     * prompt tuning, {@code num_layers}) are left out: PEFT fills them from the base model's config.
     */
    private static void promptLearning(Map<String, Object> config, String type, int virtualTokens, Delta delta) {
        config.put("peft_type", type);
        config.put("num_virtual_tokens", virtualTokens);
        config.put("token_dim", delta.parameter(DeltaLayout.HEAD_WEIGHT).dim(0));
        config.put("num_transformer_submodules", 1);
    }

    /**
     * Short module names when they are unambiguous (query, key, value); otherwise a regular
     * expression, since PEFT would also match {@code output.dense} inside {@code attention.output.dense}.
     */
    private static Object modulePattern(Set<Projection> targets) {
        if (EnumSet.of(Projection.QUERY, Projection.KEY, Projection.VALUE).containsAll(targets)) {
            return targets.stream().map(Projection::key).toList();
        }
        return ".*encoder\\.layer\\.\\d+\\.(" + targets.stream()
                .map(projection -> projection.modulePath().replace(".", "\\."))
                .collect(Collectors.joining("|")) + ")";
    }

    private static byte[] optimizerTensors(OptimizerState state) {
        List<WeightTensor> tensors = new ArrayList<>();
        state.firstMoments().forEach((slot, values) ->
                tensors.add(new WeightTensor(FIRST_MOMENT + slot, new long[] {values.length}, values)));
        state.secondMoments().forEach((slot, values) ->
                tensors.add(new WeightTensor(SECOND_MOMENT + slot, new long[] {values.length}, values)));
        return SafeTensors.write(tensors, Map.of(STEP, Long.toString(state.step())));
    }

    private static byte[] json(Object value) {
        return JSON.toJson(value).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                ZipEntry zipEntry = new ZipEntry(entry.getKey());
                zipEntry.setTime(ENTRY_TIME);
                zip.putNextEntry(zipEntry);
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot pack the delta", e);
        }
        return bytes.toByteArray();
    }
}
