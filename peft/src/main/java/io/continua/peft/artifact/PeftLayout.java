package io.continua.peft.artifact;

import io.continua.peft.encoder.Projection;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.delta.AdapterFusionPiece;
import io.continua.peft.delta.AdapterPiece;
import io.continua.peft.delta.AdapterPiece.Position;
import io.continua.peft.delta.Ia3Piece;
import io.continua.peft.delta.LlamaAdapterPiece;
import io.continua.peft.delta.LoraPiece;
import io.continua.peft.delta.PromptTuningPiece;
import io.continua.peft.graph.DeltaLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a delta tensor to the tensor name and layout a Python user expects: Hugging Face PEFT's LoRA
 * names on BERT ({@code base_model.model.encoder.layer.0.attention.self.query.lora_A.weight}) in
 * PyTorch's {@code [out, in]} layout, adapters under the module they follow, IA³ vectors as PEFT's
 * {@code ia3_l} of their module ({@code [out, 1]}, or {@code [1, in]} for a feed-forward module), the
 * head as {@code base_model.model.classifier}. Inside Continua linear weights are {@code [in, out]}
 * and IA³ vectors plain vectors. LoReFT, which PEFT does not have, follows the same convention:
 * {@code …layer.{i}.output.loreft.rotate_layer.weight} ({@code R}, {@code [r, hidden]}) and
 * {@code …learned_source.{weight,bias}} ({@code W}, {@code b}), as pyreft names its intervention's parts.
 * Prompt and prefix tuning keep PEFT's one {@code prompt_embeddings} tensor as it is (rows of
 * embeddings, not a linear map); LLaMA-Adapter's prompts and gates are PEFT's {@code adaption_prompt}
 * ({@code [1, length, hidden]}) and {@code adaption_gate} ({@code [1]}) under {@code attention.self}.
 * AdapterFusion's queries and keys are {@code …adapter_fusion.{query,key}.weight} under the module
 * its sources' adapters follow, and the frozen source adapters it carries keep their own names under
 * {@code base_model.model.fusion_sources.<i>.}.
 */
final class PeftLayout {
    private static final String PREFIX = "base_model.model.";
    private static final Pattern LORA = Pattern.compile("lora\\.(\\d+)\\.([a-z_]+)\\.(A|B)");
    private static final Pattern ADAPTER = Pattern.compile("adapter\\.(\\d+)\\.([a-z]+)\\.(down|down_bias|up|up_bias)");
    private static final Pattern PEFT_LORA = Pattern.compile(
            Pattern.quote(PREFIX) + "encoder\\.layer\\.(\\d+)\\.(.+)\\.lora_(A|B)\\.weight");
    private static final Pattern IA3 = Pattern.compile("ia3\\.(\\d+)\\.([a-z_]+)");
    private static final Pattern PEFT_IA3 = Pattern.compile(
            Pattern.quote(PREFIX) + "encoder\\.layer\\.(\\d+)\\.(.+)\\.ia3_l");
    /** LoReFT's tensors by the name of their part, ours then pyreft's. */
    private static final Map<String, String> LOREFT_PARTS = Map.of("rotation", "rotate_layer.weight",
            "source", "learned_source.weight", "source_bias", "learned_source.bias");
    private static final Pattern LOREFT = Pattern.compile("loreft\\.(\\d+)\\.(rotation|source|source_bias)");
    private static final Pattern PEFT_LOREFT = Pattern.compile(Pattern.quote(PREFIX)
            + "encoder\\.layer\\.(\\d+)\\.output\\.loreft\\.(.+)");
    private static final Pattern LLAMA_ADAPTER = Pattern.compile("llama_adapter\\.(\\d+)\\.(prompt|gate)");
    private static final Pattern PEFT_LLAMA_ADAPTER = Pattern.compile(Pattern.quote(PREFIX)
            + "encoder\\.layer\\.(\\d+)\\.attention\\.self\\.adaption_(prompt|gate)");
    private static final Pattern FUSION_SOURCE = Pattern.compile("fusion\\.source\\.(\\d+)\\.(.+)");
    private static final Pattern PEFT_FUSION_SOURCE = Pattern.compile(Pattern.quote(PREFIX)
            + "fusion_sources\\.(\\d+)\\.(.+)");
    private static final Pattern FUSION = Pattern.compile("fusion\\.(\\d+)\\.(attention|output)\\.(query|key)");
    private static final Pattern PEFT_FUSION = Pattern.compile(Pattern.quote(PREFIX)
            + "encoder\\.layer\\.(\\d+)\\.(attention\\.output|output)\\.adapter_fusion\\.(query|key)\\.weight");
    private static final Pattern PEFT_ADAPTER = Pattern.compile(
            Pattern.quote(PREFIX) + "encoder\\.layer\\.(\\d+)\\.(attention\\.output|output)\\.adapter\\.(down|up)\\.(weight|bias)");

    private PeftLayout() {
    }

    static String peftName(String slot) {
        Matcher source = FUSION_SOURCE.matcher(slot);
        if (source.matches()) {
            return PREFIX + "fusion_sources." + source.group(1) + "." + peftName(source.group(2)).substring(PREFIX.length());
        }
        Matcher fusion = FUSION.matcher(slot);
        if (fusion.matches()) {
            return PREFIX + "encoder.layer." + fusion.group(1) + "." + module(fusion.group(2)) + ".adapter_fusion."
                    + fusion.group(3) + ".weight";
        }
        Matcher lora = LORA.matcher(slot);
        if (lora.matches()) {
            return PREFIX + "encoder.layer." + lora.group(1) + "." + Projection.fromKey(lora.group(2)).modulePath()
                    + ".lora_" + lora.group(3) + ".weight";
        }
        Matcher ia3 = IA3.matcher(slot);
        if (ia3.matches()) {
            return PREFIX + "encoder.layer." + ia3.group(1) + "." + Projection.fromKey(ia3.group(2)).modulePath()
                    + ".ia3_l";
        }
        Matcher loreft = LOREFT.matcher(slot);
        if (loreft.matches()) {
            return PREFIX + "encoder.layer." + loreft.group(1) + ".output.loreft." + LOREFT_PARTS.get(loreft.group(2));
        }
        Matcher llama = LLAMA_ADAPTER.matcher(slot);
        if (llama.matches()) {
            return PREFIX + "encoder.layer." + llama.group(1) + ".attention.self.adaption_" + llama.group(2);
        }
        Matcher adapter = ADAPTER.matcher(slot);
        if (adapter.matches()) {
            String part = adapter.group(3);
            String tensor = part.endsWith("_bias") ? part.replace("_bias", "") + ".bias" : part + ".weight";
            return PREFIX + "encoder.layer." + adapter.group(1) + "." + module(adapter.group(2)) + ".adapter." + tensor;
        }
        return switch (slot) {
            case PromptTuningPiece.EMBEDDINGS -> PromptTuningPiece.EMBEDDINGS;
            case DeltaLayout.HEAD_WEIGHT -> PREFIX + "classifier.weight";
            case DeltaLayout.HEAD_BIAS -> PREFIX + "classifier.bias";
            default -> throw new IllegalArgumentException("No PEFT name for delta tensor " + slot);
        };
    }

    /** The module an adapter position follows. */
    private static String module(String position) {
        return position.equals(Position.ATTENTION.key()) ? "attention.output" : "output";
    }

    static String slot(String peftName) {
        Matcher source = PEFT_FUSION_SOURCE.matcher(peftName);
        if (source.matches()) {
            return AdapterFusionPiece.source(Integer.parseInt(source.group(1)), slot(PREFIX + source.group(2)));
        }
        Matcher fusion = PEFT_FUSION.matcher(peftName);
        if (fusion.matches()) {
            int layer = Integer.parseInt(fusion.group(1));
            Position position = fusion.group(2).equals("output") ? Position.OUTPUT : Position.ATTENTION;
            return fusion.group(3).equals("query") ? AdapterFusionPiece.query(layer, position)
                    : AdapterFusionPiece.key(layer, position);
        }
        Matcher lora = PEFT_LORA.matcher(peftName);
        if (lora.matches()) {
            return lora.group(3).equals("A")
                    ? LoraPiece.a(Integer.parseInt(lora.group(1)), Projection.fromKey(lora.group(2)))
                    : LoraPiece.b(Integer.parseInt(lora.group(1)), Projection.fromKey(lora.group(2)));
        }
        Matcher ia3 = PEFT_IA3.matcher(peftName);
        if (ia3.matches()) {
            return Ia3Piece.vector(Integer.parseInt(ia3.group(1)), Projection.fromKey(ia3.group(2)));
        }
        Matcher loreft = PEFT_LOREFT.matcher(peftName);
        if (loreft.matches() && LOREFT_PARTS.containsValue(loreft.group(2))) {
            return LOREFT_PARTS.entrySet().stream().filter(part -> part.getValue().equals(loreft.group(2)))
                    .map(part -> "loreft." + loreft.group(1) + "." + part.getKey()).findFirst().orElseThrow();
        }
        Matcher llama = PEFT_LLAMA_ADAPTER.matcher(peftName);
        if (llama.matches()) {
            int layer = Integer.parseInt(llama.group(1));
            return llama.group(2).equals("prompt") ? LlamaAdapterPiece.prompt(layer) : LlamaAdapterPiece.gate(layer);
        }
        if (peftName.equals(PromptTuningPiece.EMBEDDINGS)) {
            return PromptTuningPiece.EMBEDDINGS;
        }
        Matcher adapter = PEFT_ADAPTER.matcher(peftName);
        if (adapter.matches()) {
            int layer = Integer.parseInt(adapter.group(1));
            Position position = adapter.group(2).equals("output") ? Position.OUTPUT
                    : Position.ATTENTION;
            boolean down = adapter.group(3).equals("down");
            boolean bias = adapter.group(4).equals("bias");
            if (down) {
                return bias ? AdapterPiece.downBias(layer, position) : AdapterPiece.down(layer, position);
            }
            return bias ? AdapterPiece.upBias(layer, position) : AdapterPiece.up(layer, position);
        }
        if (peftName.equals(PREFIX + "classifier.weight")) {
            return DeltaLayout.HEAD_WEIGHT;
        }
        if (peftName.equals(PREFIX + "classifier.bias")) {
            return DeltaLayout.HEAD_BIAS;
        }
        throw new InvalidArtifactException("Unknown tensor " + peftName + " in the delta");
    }

    /** Our {@code [in, out]} to PyTorch's {@code [out, in]}, renamed; vectors are only renamed. */
    static WeightTensor toPeft(WeightTensor tensor) {
        String name = peftName(tensor.name());
        Matcher ia3 = IA3.matcher(tensor.name());
        if (ia3.matches()) {
            long size = tensor.dim(0);
            long[] shape = Ia3Piece.scalesInput(Projection.fromKey(ia3.group(2))) ? new long[] {1, size}
                    : new long[] {size, 1};
            return new WeightTensor(name, shape, tensor.values());
        }
        if (LLAMA_ADAPTER.matcher(tensor.name()).matches()) {
            return new WeightTensor(name, peftShape(tensor.name(), tensor.shape()), tensor.values());
        }
        return isLinear(tensor.name(), tensor.shape()) ? transpose(name, tensor)
                : new WeightTensor(name, tensor.shape(), tensor.values());
    }

    static WeightTensor fromPeft(WeightTensor tensor) {
        String name = slot(tensor.name());
        if (LLAMA_ADAPTER.matcher(name).matches()) {
            // PEFT keeps a batch axis on the prompt: [1, length, hidden].
            if (tensor.rank() != 1 && (tensor.rank() != 3 || tensor.dim(0) != 1)) {
                throw new InvalidArtifactException("LLaMA-Adapter tensor " + tensor.name()
                        + " must be [1, length, hidden] or [1], got " + Arrays.toString(tensor.shape()));
            }
            long[] shape = tensor.rank() == 1 ? tensor.shape() : new long[] {tensor.dim(1), tensor.dim(2)};
            return new WeightTensor(name, shape, tensor.values());
        }
        Matcher ia3 = IA3.matcher(name);
        if (ia3.matches()) {
            // [1, in] for a feed-forward module, [out, 1] otherwise: the values are already the vector's.
            boolean input = Ia3Piece.scalesInput(Projection.fromKey(ia3.group(2)));
            if (tensor.rank() != 2 || tensor.dim(input ? 0 : 1) != 1) {
                throw new InvalidArtifactException("IA3 tensor " + tensor.name() + " must be "
                        + (input ? "[1, in]" : "[out, 1]") + ", got " + Arrays.toString(tensor.shape()));
            }
            return new WeightTensor(name, new long[] {tensor.values().length}, tensor.values());
        }
        return isLinear(name, tensor.shape()) ? transpose(name, tensor)
                : new WeightTensor(name, tensor.shape(), tensor.values());
    }

    /** A tensor's shape as it is stored: linear maps' reversed, LLaMA-Adapter's prompt with PEFT's batch axis. */
    static long[] peftShape(String slot, long[] shape) {
        if (LLAMA_ADAPTER.matcher(slot).matches() && shape.length == 2) {
            return new long[] {1, shape[0], shape[1]};
        }
        return isLinear(slot, shape) ? new long[] {shape[1], shape[0]} : shape.clone();
    }

    /** Matrices are linear maps, kept {@code [in, out]} here and {@code [out, in]} by PyTorch; soft prompts are rows. */
    private static boolean isLinear(String slot, long[] shape) {
        return shape.length == 2 && !slot.equals(PromptTuningPiece.EMBEDDINGS);
    }

    private static WeightTensor transpose(String name, WeightTensor tensor) {
        int rows = (int) tensor.dim(0);
        int columns = (int) tensor.dim(1);
        float[] values = tensor.values();
        float[] transposed = new float[values.length];
        for (int row = 0; row < rows; row++) {
            for (int column = 0; column < columns; column++) {
                transposed[column * rows + row] = values[row * columns + column];
            }
        }
        return new WeightTensor(name, new long[] {columns, rows}, transposed);
    }
}
