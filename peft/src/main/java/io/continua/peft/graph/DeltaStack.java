package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of one or more deltas of a layout, stacked along a leading axis as the encoder graph
 * takes them ({@code [deltas, ...]}). Deltas with fewer labels are padded to the largest label list
 * (absent labels get probability 0). Immutable once built.
 */
public final class DeltaStack {
    private final int size;
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private DeltaStack(DeltaLayout layout, EncoderArchitecture architecture, List<Map<String, WeightTensor>> deltas) {
        if (deltas.isEmpty()) {
            throw new IllegalArgumentException("A stack needs at least one delta");
        }
        this.size = deltas.size();
        for (TensorSpec spec : layout.tensors(architecture)) {
            long[] shape = spec.shape();
            for (Map<String, WeightTensor> delta : deltas) {
                WeightTensor tensor = tensor(delta, spec, layout);
                for (int axis = 0; axis < shape.length; axis++) {
                    shape[axis] = Math.max(shape[axis], tensor.dim(axis));
                }
            }
            int perDelta = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
            float[] stacked = new float[size * perDelta];
            for (int index = 0; index < size; index++) {
                copyPadded(tensor(deltas.get(index), spec, layout), shape, stacked, index * perDelta, spec.padValue());
            }
            long[] stackedShape = new long[shape.length + 1];
            stackedShape[0] = size;
            System.arraycopy(shape, 0, stackedShape, 1, shape.length);
            values.put(spec.name(), stacked);
            shapes.put(spec.name(), stackedShape);
        }
    }

    /** One delta's inputs (its {@code Delta.inputs()}), checked against the layout. */
    public static DeltaStack of(DeltaLayout layout, EncoderArchitecture architecture, Map<String, WeightTensor> delta) {
        return new DeltaStack(layout, architecture, List.of(delta));
    }

    /** Several deltas of one layout, in the order the batch's group indices refer to them. */
    public static DeltaStack of(DeltaLayout layout, EncoderArchitecture architecture,
                                List<Map<String, WeightTensor>> deltas) {
        return new DeltaStack(layout, architecture, deltas);
    }

    public int size() {
        return size;
    }

    /** The widest label list in the stack. */
    public int labels() {
        return Math.toIntExact(shapes.get(DeltaLayout.HEAD_BIAS)[1]);
    }

    public void describe(BatchFeed feed) {
        values.forEach((name, stacked) -> feed.floats(name, stacked, shapes.get(name)));
    }

    private static WeightTensor tensor(Map<String, WeightTensor> delta, TensorSpec spec, DeltaLayout layout) {
        WeightTensor tensor = delta.get(spec.name());
        if (tensor == null) {
            throw new IllegalArgumentException("A delta of layout " + layout.key() + " needs tensor " + spec);
        }
        if (!spec.fits(tensor.shape())) {
            throw new IllegalArgumentException("Delta tensor " + tensor + " does not fit " + spec + " of layout "
                    + layout.key());
        }
        return tensor;
    }

    /** Copies {@code tensor} into the block at {@code offset}, whose shape is {@code padded}; the rest is {@code pad}. */
    private static void copyPadded(WeightTensor tensor, long[] padded, float[] target, int offset, float pad) {
        float[] source = tensor.values();
        if (Arrays.equals(tensor.shape(), padded)) {
            System.arraycopy(source, 0, target, offset, source.length);
            return;
        }
        int blockSize = Math.toIntExact(Arrays.stream(padded).reduce(1, (a, b) -> a * b));
        Arrays.fill(target, offset, offset + blockSize, pad);
        // Only the last axis varies (a head's labels): copy row by row.
        int rowsIn = tensor.rank() == 0 ? 1 : Math.toIntExact(source.length / tensor.dim(tensor.rank() - 1));
        int width = tensor.rank() == 0 ? 1 : Math.toIntExact(tensor.dim(tensor.rank() - 1));
        int paddedWidth = padded.length == 0 ? 1 : Math.toIntExact(padded[padded.length - 1]);
        for (int row = 0; row < rowsIn; row++) {
            System.arraycopy(source, row * width, target, offset + row * paddedWidth, width);
        }
    }
}
