package io.continua.peft.graph;

import java.util.Arrays;

/**
 * One tensor a delta feeds the encoder graph, by name, with its shape for one delta. An axis of
 * size {@code -1} varies from delta to delta (the head's label axis): when deltas are stacked for a
 * mixed batch, shorter ones are padded on it with {@code padValue} (a padded label gets a bias so
 * low that its probability is 0).
 */
public record TensorSpec(String name, long[] shape, float padValue, Role role) {
    /** What feeds a tensor, and whether training changes it. */
    public enum Role {
        /** Trained: the delta's own parameters. */
        TRAINED,
        /** Derived from the delta's configuration (LoRA's scaling), the same for every delta of it; never trained. */
        SETTING,
        /** Carried by the delta but never trained: other deltas' parts it composes (AdapterFusion's sources). */
        FROZEN
    }

    public TensorSpec {
        shape = shape.clone();
    }

    /** A trained tensor of fixed shape. */
    public static TensorSpec trained(String name, long... shape) {
        return new TensorSpec(name, shape, 0f, Role.TRAINED);
    }

    /** A fed, untrained setting of fixed shape. */
    public static TensorSpec setting(String name, long... shape) {
        return new TensorSpec(name, shape, 0f, Role.SETTING);
    }

    /** A frozen part the delta carries, of fixed shape. */
    public static TensorSpec frozen(String name, long... shape) {
        return new TensorSpec(name, shape, 0f, Role.FROZEN);
    }

    public boolean trained() {
        return role == Role.TRAINED;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The placeholder's shape: a leading axis for the stack of deltas, then this tensor's. */
    public long[] stackedShape() {
        long[] stacked = new long[shape.length + 1];
        stacked[0] = -1;
        System.arraycopy(shape, 0, stacked, 1, shape.length);
        return stacked;
    }

    /** Whether {@code actual} fits: equal on every fixed axis. */
    public boolean fits(long[] actual) {
        if (actual.length != shape.length) {
            return false;
        }
        for (int axis = 0; axis < shape.length; axis++) {
            if (shape[axis] != -1 && shape[axis] != actual[axis]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape).replace("-1", "any");
    }
}
