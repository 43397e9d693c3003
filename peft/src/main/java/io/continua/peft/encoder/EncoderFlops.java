package io.continua.peft.encoder;

import java.util.Collection;

/** Floating-point operations of one forward pass, counting a multiply-add as two. */
public final class EncoderFlops {
    private EncoderFlops() {
    }

    /** A padded batch of {@code batch} rows of {@code length} tokens: what a padded encoder executes. */
    public static double padded(EncoderArchitecture architecture, int batch, int length) {
        return projections(architecture, (double) batch * length) + attention(architecture, batch, length);
    }

    /**
     * What the padding-free encoder executes for a batch: projections and feed-forward on the real
     * tokens only, attention on each text laid out to the longest one's length.
     */
    public static double packed(EncoderArchitecture architecture, int tokens, int texts, int longest) {
        return projections(architecture, tokens) + attention(architecture, texts, longest);
    }

    /** The work the texts need, each on its own real tokens: no padding anywhere. */
    public static double real(EncoderArchitecture architecture, Collection<Integer> lengths) {
        double flops = 0;
        for (int length : lengths) {
            flops += padded(architecture, 1, length);
        }
        return flops;
    }

    private static double projections(EncoderArchitecture architecture, double tokens) {
        double hidden = architecture.hiddenSize();
        return architecture.layers() * tokens * (4 * hidden * hidden + 2 * hidden * architecture.intermediateSize()) * 2;
    }

    private static double attention(EncoderArchitecture architecture, double texts, double length) {
        return architecture.layers() * texts * length * length * architecture.hiddenSize() * 2 * 2;
    }
}
