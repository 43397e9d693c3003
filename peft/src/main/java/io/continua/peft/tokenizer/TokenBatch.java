package io.continua.peft.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Token ids and attention mask of a batch of texts, row-major {@code [size, length]}, padded with
 * zeros to the longest text of the batch: the layout a padded encoder (ONNX Runtime, the parity
 * oracle) takes. {@code truncated[i]} says text i was cut at the limit.
 */
public record TokenBatch(int size, int length, int[] ids, int[] mask, boolean[] truncated) {
    public TokenBatch {
        if (ids.length != size * length || mask.length != size * length || truncated.length != size) {
            throw new IllegalArgumentException("Token batch arrays do not match " + size + " x " + length);
        }
    }

    /** The texts padded to the longest of them. */
    public static TokenBatch padded(List<Tokens> texts) {
        int length = texts.stream().mapToInt(Tokens::length).max().orElse(0);
        int[] ids = new int[texts.size() * length];
        int[] mask = new int[texts.size() * length];
        boolean[] truncated = new boolean[texts.size()];
        for (int row = 0; row < texts.size(); row++) {
            Tokens tokens = texts.get(row);
            System.arraycopy(tokens.ids(), 0, ids, row * length, tokens.length());
            Arrays.fill(mask, row * length, row * length + tokens.length(), 1);
            truncated[row] = tokens.truncated();
        }
        return new TokenBatch(texts.size(), length, ids, mask, truncated);
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
