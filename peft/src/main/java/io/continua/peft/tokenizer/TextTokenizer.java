package io.continua.peft.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.continua.peft.runtime.NativeCache;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * WordPiece tokenization with the encoder's own tokenizer.json through DJL's Hugging Face
 * tokenizers (native, offline). Texts longer than {@code maxLength} tokens are truncated and
 * flagged; a batch is padded to its longest text. Thread-safe.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final int DEFAULT_MAX_LENGTH = 128;

    private final HuggingFaceTokenizer tokenizer;

    public TextTokenizer(byte[] tokenizerJson, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must leave room for [CLS] and [SEP]: " + maxLength);
        }
        NativeCache.configure();
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), Map.of(
                    "maxLength", Integer.toString(maxLength),
                    "truncation", "true",
                    "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load tokenizer", e);
        }
    }

    public TokenBatch encode(List<String> texts) {
        if (texts.isEmpty()) {
            return new TokenBatch(0, 0, new int[0], new int[0], new boolean[0]);
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int length = 0;
        for (Encoding encoding : encodings) {
            length = Math.max(length, realLength(encoding));
        }
        int[] ids = new int[texts.size() * length];
        int[] mask = new int[texts.size() * length];
        boolean[] truncated = new boolean[texts.size()];
        for (int row = 0; row < encodings.length; row++) {
            long[] tokenIds = encodings[row].getIds();
            int real = realLength(encodings[row]);
            for (int i = 0; i < real; i++) {
                ids[row * length + i] = Math.toIntExact(tokenIds[i]);
                mask[row * length + i] = 1;
            }
            truncated[row] = encodings[row].exceedMaxLength();
        }
        return new TokenBatch(texts.size(), length, ids, mask, truncated);
    }

    /** Tokens that are not padding, whatever padding the tokenizer.json itself asks for. */
    private static int realLength(Encoding encoding) {
        long[] attention = encoding.getAttentionMask();
        int real = 0;
        while (real < attention.length && attention[real] == 1) {
            real++;
        }
        return real;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
