package io.continua.peft.tokenizer;

import java.util.Arrays;

/** One text's token ids, without padding, and whether the text was cut at the tokenizer's limit. */
public record Tokens(int[] ids, boolean truncated) {
    public Tokens {
        if (ids.length == 0) {
            throw new IllegalArgumentException("A text has at least its [CLS] and [SEP] tokens");
        }
    }

    public int length() {
        return ids.length;
    }

    /**
     * At most {@code maxLength} tokens: cut as the tokenizer cuts, keeping the closing {@code [SEP]},
     * and flagged as truncated; this same text when it already fits.
     */
    public Tokens limit(int maxLength) {
        if (ids.length <= maxLength) {
            return this;
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("A text needs room for its [CLS] and [SEP] tokens, got " + maxLength);
        }
        int[] cut = Arrays.copyOf(ids, maxLength);
        cut[maxLength - 1] = ids[ids.length - 1];
        return new Tokens(cut, true);
    }
}
