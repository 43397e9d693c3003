package io.continua.peft.delta;

/** Gram–Schmidt on the columns of a row-major matrix, in place. */
final class Orthonormal {
    private Orthonormal() {
    }

    /**
     * Makes the {@code columns} columns of the {@code rows × columns} row-major {@code values}
     * orthonormal (modified Gram–Schmidt, twice for float precision); needs {@code columns ≤ rows}.
     */
    static void columns(float[] values, int rows, int columns) {
        if (columns > rows) {
            throw new IllegalArgumentException(columns + " orthonormal columns need at least as many rows, got " + rows);
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int column = 0; column < columns; column++) {
                for (int earlier = 0; earlier < column; earlier++) {
                    double dot = 0;
                    for (int row = 0; row < rows; row++) {
                        dot += (double) values[row * columns + column] * values[row * columns + earlier];
                    }
                    for (int row = 0; row < rows; row++) {
                        values[row * columns + column] -= (float) (dot * values[row * columns + earlier]);
                    }
                }
                double norm = 0;
                for (int row = 0; row < rows; row++) {
                    norm += (double) values[row * columns + column] * values[row * columns + column];
                }
                double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
                for (int row = 0; row < rows; row++) {
                    values[row * columns + column] *= (float) scale;
                }
            }
        }
    }
}
