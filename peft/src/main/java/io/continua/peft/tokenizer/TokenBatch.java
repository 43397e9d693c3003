package io.continua.peft.tokenizer;

/**
 * Token ids and attention mask of a batch of texts, row-major {@code [size, length]}, padded with
 * zeros to the longest text of the batch. {@code truncated[i]} says text i was cut at the limit.
 */
public record TokenBatch(int size, int length, int[] ids, int[] mask, boolean[] truncated) {
    public TokenBatch {
        if (ids.length != size * length || mask.length != size * length || truncated.length != size) {
            throw new IllegalArgumentException("Token batch arrays do not match " + size + " x " + length);
        }
    }

    /** The number of real (unpadded) tokens of row {@code row}. */
    public int tokens(int row) {
        int count = 0;
        for (int i = row * length; i < (row + 1) * length; i++) {
            count += mask[i];
        }
        return count;
    }
}
