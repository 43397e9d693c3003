package io.continua.peft.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.continua.peft.runtime.NativeCache;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * WordPiece tokenization with the encoder's own tokenizer.json through DJL's Hugging Face
 * tokenizers (native, offline). Texts longer than {@code maxLength} tokens are truncated and
 * flagged. Thread-safe.
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

    /** Each text's tokens, unpadded: what the padding-free encoder packs. */
    public List<Tokens> tokenize(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<Tokens> result = new ArrayList<>(encodings.length);
        for (Encoding encoding : encodings) {
            long[] tokenIds = encoding.getIds();
            int[] ids = new int[realLength(encoding)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Math.toIntExact(tokenIds[i]);
            }
            result.add(new Tokens(ids, encoding.exceedMaxLength()));
        }
        return result;
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
