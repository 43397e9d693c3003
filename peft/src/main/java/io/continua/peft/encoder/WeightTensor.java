package io.continua.peft.encoder;

import java.util.Arrays;

/** A named float tensor of the frozen base, row-major; linear weights are stored {@code [in, out]}. */
public record WeightTensor(String name, long[] shape, float[] values) {
    public WeightTensor {
        shape = shape.clone();
        long expected = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (expected != values.length) {
            throw new IllegalArgumentException("Tensor " + name + " has " + values.length + " values for shape "
                    + Arrays.toString(shape));
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
