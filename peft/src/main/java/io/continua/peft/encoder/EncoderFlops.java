package io.continua.peft.encoder;

/** Floating-point operations of one forward pass, counting a multiply-add as two. */
public final class EncoderFlops {
    private EncoderFlops() {
    }

    /** For a padded batch of {@code batch} rows of {@code length} tokens (the work actually executed). */
    public static double forward(EncoderArchitecture architecture, int batch, int length) {
        double tokens = (double) batch * length;
        double hidden = architecture.hiddenSize();
        double projections = tokens * (4 * hidden * hidden + 2 * hidden * architecture.intermediateSize()) * 2;
        double attention = (double) batch * length * length * hidden * 2 * 2;
        return architecture.layers() * (projections + attention);
    }
}
