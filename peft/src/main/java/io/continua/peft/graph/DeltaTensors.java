package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values fed to every {@link DeltaSlot} of the encoder graph for one delta. Slots the delta
 * does not use hold zero-size tensors (LoRA rank 0, adapter bottleneck 0), which leave the frozen
 * encoder unchanged; the classifier head is always required. Immutable.
 */
public final class DeltaTensors {
    private final Map<String, WeightTensor> tensors;
    private final int labelCount;

    private DeltaTensors(Map<String, WeightTensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.labelCount = (int) tensors.get(DeltaSlot.HEAD_BIAS).dim(0);
    }

    public static Builder builder(EncoderArchitecture architecture) {
        return new Builder(architecture);
    }

    public int labelCount() {
        return labelCount;
    }

    /** One tensor per slot, in the slots' order. */
    public Collection<WeightTensor> all() {
        return tensors.values();
    }

    public static final class Builder {
        private final EncoderArchitecture architecture;
        private final Map<String, DeltaSlot> slots = new LinkedHashMap<>();
        private final Map<String, WeightTensor> values = new LinkedHashMap<>();

        private Builder(EncoderArchitecture architecture) {
            this.architecture = architecture;
            DeltaSlot.all(architecture).forEach(slot -> slots.put(slot.name(), slot));
        }

        /** Sets one slot; its shape must fit the slot's ({@code -1} is free). */
        public Builder set(String slot, long[] shape, float[] values) {
            DeltaSlot expected = slots.get(slot);
            if (expected == null) {
                throw new IllegalArgumentException("No delta slot named " + slot);
            }
            long[] pattern = expected.shape();
            boolean fits = pattern.length == shape.length;
            for (int axis = 0; fits && axis < shape.length; axis++) {
                fits = pattern[axis] == -1 || pattern[axis] == shape[axis];
            }
            if (!fits) {
                throw new IllegalArgumentException("Delta tensor " + slot + " has shape " + Arrays.toString(shape)
                        + "; the slot takes " + Arrays.toString(pattern).replace("-1", "any"));
            }
            this.values.put(slot, new WeightTensor(slot, shape, values));
            return this;
        }

        public Builder head(float[] weight, float[] bias) {
            long hidden = architecture.hiddenSize();
            set(DeltaSlot.HEAD_WEIGHT, new long[] {hidden, weight.length / hidden}, weight);
            return set(DeltaSlot.HEAD_BIAS, new long[] {bias.length}, bias);
        }

        public DeltaTensors build() {
            if (!values.containsKey(DeltaSlot.HEAD_WEIGHT) || !values.containsKey(DeltaSlot.HEAD_BIAS)) {
                throw new IllegalStateException("A delta needs a classifier head (" + DeltaSlot.HEAD_WEIGHT + ", "
                        + DeltaSlot.HEAD_BIAS + ")");
            }
            if (values.get(DeltaSlot.HEAD_WEIGHT).dim(1) != values.get(DeltaSlot.HEAD_BIAS).dim(0)) {
                throw new IllegalArgumentException("Head weight and bias disagree on the number of labels");
            }
            Map<String, WeightTensor> complete = new LinkedHashMap<>();
            for (DeltaSlot slot : slots.values()) {
                complete.put(slot.name(), values.getOrDefault(slot.name(), unused(slot)));
            }
            return new DeltaTensors(complete);
        }

        /** Zero size on every free axis; a fixed-size vector (an adapter's output bias) is zeros. */
        private static WeightTensor unused(DeltaSlot slot) {
            long[] shape = Arrays.stream(slot.shape()).map(size -> size == -1 ? 0 : size).toArray();
            int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            return new WeightTensor(slot.name(), shape, new float[count]);
        }
    }
}
