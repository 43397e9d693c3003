package io.continua.peft.tokenizer;

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
}
