package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.Projection;
import java.util.ArrayList;
import java.util.List;

/**
 * One input of the encoder graph through which a delta's tensors are fed: every LoRA factor of
 * every projection, every adapter, the classifier head. The graph takes all of them, so one graph
 * (and one serving export) runs any delta; a part a delta does not use is fed with zero size
 * (rank 0, bottleneck 0) and contributes nothing. Shapes use -1 for the sizes a delta chooses.
 */
public record DeltaSlot(String name, long[] shape) {
    public static final String LORA_SCALING = "lora.scaling";
    public static final String HEAD_WEIGHT = "head.weight";
    public static final String HEAD_BIAS = "head.bias";

    /** Where a bottleneck adapter sits in a layer: after the attention output or after the feed-forward output. */
    public enum AdapterPosition {
        ATTENTION, OUTPUT;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public DeltaSlot {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public static String loraA(int layer, Projection projection) {
        return "lora." + layer + "." + projection.key() + ".A";
    }

    public static String loraB(int layer, Projection projection) {
        return "lora." + layer + "." + projection.key() + ".B";
    }

    public static String adapterDown(int layer, AdapterPosition position) {
        return adapter(layer, position) + ".down";
    }

    public static String adapterDownBias(int layer, AdapterPosition position) {
        return adapter(layer, position) + ".down_bias";
    }

    public static String adapterUp(int layer, AdapterPosition position) {
        return adapter(layer, position) + ".up";
    }

    public static String adapterUpBias(int layer, AdapterPosition position) {
        return adapter(layer, position) + ".up_bias";
    }

    private static String adapter(int layer, AdapterPosition position) {
        return "adapter." + layer + "." + position.key();
    }

    /** Every slot of an encoder with this architecture, in a stable order. */
    public static List<DeltaSlot> all(EncoderArchitecture architecture) {
        long hidden = architecture.hiddenSize();
        List<DeltaSlot> slots = new ArrayList<>();
        for (int layer = 0; layer < architecture.layers(); layer++) {
            for (Projection projection : Projection.values()) {
                slots.add(new DeltaSlot(loraA(layer, projection), new long[] {projection.inputSize(architecture), -1}));
                slots.add(new DeltaSlot(loraB(layer, projection), new long[] {-1, projection.outputSize(architecture)}));
            }
            for (AdapterPosition position : AdapterPosition.values()) {
                slots.add(new DeltaSlot(adapterDown(layer, position), new long[] {hidden, -1}));
                slots.add(new DeltaSlot(adapterDownBias(layer, position), new long[] {-1}));
                slots.add(new DeltaSlot(adapterUp(layer, position), new long[] {-1, hidden}));
                slots.add(new DeltaSlot(adapterUpBias(layer, position), new long[] {hidden}));
            }
        }
        slots.add(new DeltaSlot(LORA_SCALING, new long[0]));
        slots.add(new DeltaSlot(HEAD_WEIGHT, new long[] {hidden, -1}));
        slots.add(new DeltaSlot(HEAD_BIAS, new long[] {-1}));
        return slots;
    }
}
