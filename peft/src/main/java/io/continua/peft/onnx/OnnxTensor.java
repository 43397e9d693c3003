package io.continua.peft.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** One tensor of an ONNX file (an initializer or a Constant node's value), little-endian raw data. */
public record OnnxTensor(String name, long[] dims, int dataType, ByteBuffer data) {
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;

    public OnnxTensor {
        dims = dims.clone();
        data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        return Arrays.stream(dims).reduce(1, (a, b) -> a * b);
    }

    public float[] floats() {
        requireType(FLOAT);
        float[] values = new float[Math.toIntExact(elementCount())];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    public long[] longs() {
        long[] values = new long[Math.toIntExact(elementCount())];
        ByteBuffer buffer = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (dataType == INT64) {
            buffer.asLongBuffer().get(values);
        } else {
            requireType(INT32);
            for (int i = 0; i < values.length; i++) {
                values[i] = buffer.getInt(i * Integer.BYTES);
            }
        }
        return values;
    }

    private void requireType(int expected) {
        if (dataType != expected) {
            throw new IllegalStateException("ONNX tensor " + name + " has data type " + dataType
                    + ", expected " + expected);
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims) + " type " + dataType;
    }
}
