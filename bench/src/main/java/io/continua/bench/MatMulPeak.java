package io.continua.bench;

import io.continua.peft.runtime.TensorFlowRuntime;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** What this machine's TensorFlow reaches on one large MatMul: the peak that model figures are set against. */
final class MatMulPeak {
    private static final int ROWS = 2048;
    private static final int INNER = 384;
    private static final int COLUMNS = 1536;

    private MatMulPeak() {
    }

    /** Best of {@code runs} timed runs, in GFLOP/s. */
    static double measure(int runs) {
        TensorFlowRuntime.ensureStarted();
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(ROWS, INNER)));
            Placeholder<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(INNER, COLUMNS)));
            var product = tf.reduceSum(tf.linalg.matMul(a, b), tf.constant(new int[] {0, 1}));
            try (Session session = new Session(graph);
                 TFloat32 left = random(ROWS, INNER);
                 TFloat32 right = random(INNER, COLUMNS)) {
                double best = Double.MAX_VALUE;
                for (int run = 0; run < runs + 3; run++) {
                    long started = System.nanoTime();
                    session.runner().feed(a, left).feed(b, right).fetch(product).run().close();
                    if (run >= 3) {
                        best = Math.min(best, (System.nanoTime() - started) / 1e9);
                    }
                }
                return 2.0 * ROWS * INNER * COLUMNS / best / 1e9;
            }
        }
    }

    private static TFloat32 random(int rows, int columns) {
        Random random = new Random(rows + columns);
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return TFloat32.tensorOf(Shape.of(rows, columns), DataBuffers.of(values, true, false));
    }
}
