package io.continua.ingest.validate;

import io.continua.schemas.Split;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Assigns TRAIN or HOLDOUT from a hash of domain and normalized text, so a text always lands in the
 * same split, on every instance and after every restart.
 */
public final class SplitAssigner {
    private final double holdoutFraction;

    public SplitAssigner(double holdoutFraction) {
        this.holdoutFraction = holdoutFraction;
    }

    public Split assign(String domain, String normalizedText) {
        return unitInterval(domain, normalizedText) < holdoutFraction ? Split.HOLDOUT : Split.TRAIN;
    }

    /** SHA-256 of {@code domain NUL text}, its first 53 bits as a number in [0, 1). */
    static double unitInterval(String domain, String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(domain.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(text.getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(sha.digest()).getLong() >>> 11;
            return bits / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
