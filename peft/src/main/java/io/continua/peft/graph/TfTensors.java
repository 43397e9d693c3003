package io.continua.peft.graph;

import io.continua.peft.encoder.WeightTensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Copies between Java arrays and TensorFlow tensors. */
public final class TfTensors {
    private TfTensors() {
    }

    public static TFloat32 floats(WeightTensor tensor) {
        return floats(tensor.values(), tensor.shape());
    }

    public static TFloat32 floats(float[] values, long... shape) {
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    public static TInt32 ints(int[] values, long... shape) {
        return TInt32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    public static float[] values(TFloat32 tensor) {
        float[] values = new float[Math.toIntExact(tensor.shape().size())];
        tensor.copyTo(DataBuffers.of(values, false, false));
        return values;
    }

    /** A {@code [rows, columns]} tensor as one array per row. */
    public static float[][] rows(TFloat32 tensor) {
        return rows(values(tensor), Math.toIntExact(tensor.shape().get(0)), Math.toIntExact(tensor.shape().get(1)));
    }

    /** A row-major {@code [rows, columns]} array as one array per row. */
    public static float[][] rows(float[] flat, int rows, int columns) {
        float[][] result = new float[rows][columns];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(flat, row * columns, result[row], 0, columns);
        }
        return result;
    }
}
