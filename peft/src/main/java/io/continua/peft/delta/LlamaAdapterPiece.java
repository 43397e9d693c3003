package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.AttentionPrefix;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * LLaMA-Adapter in the graph: in each of the top {@code topLayers} layers, the delta's adaption
 * prompt ({@code [length, hidden]}) goes through that layer's frozen key and value projections, and
 * each text's queries attend to it in a softmax of their own, scaled by the layer's gate and added
 * to the attention's context. The gate starts at zero, so a new delta is the base model.
 */
public record LlamaAdapterPiece(int length, int topLayers) implements DeltaPiece {
    static final String PROMPT = ".prompt";
    static final String GATE = ".gate";

    public static String prompt(int layer) {
        return "llama_adapter." + layer + PROMPT;
    }

    public static String gate(int layer) {
        return "llama_adapter." + layer + GATE;
    }

    public static boolean isGate(String tensor) {
        return tensor.startsWith("llama_adapter.") && tensor.endsWith(GATE);
    }

    @Override
    public String layoutKey() {
        return "llama_adapter(len=" + length + ";top=" + topLayers + ")";
    }

    /** The adapted layers, lowest first; {@code topLayers} 0 means all. */
    List<Integer> layersOf(EncoderArchitecture architecture) {
        if (topLayers > architecture.layers()) {
            throw new IllegalArgumentException("LLaMA-Adapter cannot adapt the top " + topLayers
                    + " layers of an encoder of " + architecture.layers());
        }
        int count = topLayers == 0 ? architecture.layers() : topLayers;
        return IntStream.range(architecture.layers() - count, architecture.layers()).boxed().toList();
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        List<TensorSpec> tensors = new ArrayList<>();
        for (int layer : layersOf(architecture)) {
            tensors.add(TensorSpec.trained(prompt(layer), length, architecture.hiddenSize()));
            tensors.add(TensorSpec.trained(gate(layer), 1));
        }
        return tensors;
    }

    @Override
    public Optional<AttentionPrefix> attentionPrefix(Sites sites, int layer) {
        if (!layersOf(sites.architecture()).contains(layer)) {
            return Optional.empty();
        }
        Ops tf = sites.tf();
        int hidden = sites.architecture().hiddenSize();
        Operand<TFloat32> rows = tf.reshape(sites.delta(prompt(layer)), tf.constant(new int[] {-1, hidden}));
        Operand<TFloat32> projected = tf.reshape(sites.frozenQueryKeyValue(layer, rows),
                tf.constant(new int[] {-1, length, 3 * hidden}));
        Operand<TFloat32> perText = tf.gather(projected, sites.deltaOfText(), tf.constant(0));
        Operand<TFloat32> keys = tf.slice(perText, tf.constant(new int[] {0, 0, hidden}),
                tf.constant(new int[] {-1, length, hidden}));
        Operand<TFloat32> values = tf.slice(perText, tf.constant(new int[] {0, 0, 2 * hidden}),
                tf.constant(new int[] {-1, length, hidden}));
        Operand<TFloat32> gate = tf.gather(sites.delta(gate(layer)), sites.deltaOfText(), tf.constant(0));
        return Optional.of(AttentionPrefix.gated(keys, values, gate));
    }
}
