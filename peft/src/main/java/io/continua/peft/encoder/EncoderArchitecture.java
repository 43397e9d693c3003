package io.continua.peft.encoder;

/** The shape of a BERT-family encoder, as read from its weights. */
public record EncoderArchitecture(int layers, int hiddenSize, int heads, int intermediateSize, int vocabularySize,
                                  int maxPositions, int typeVocabularySize, float layerNormEpsilon) {
    public EncoderArchitecture {
        if (layers < 1 || hiddenSize < 1 || heads < 1 || intermediateSize < 1 || vocabularySize < 1
                || maxPositions < 1 || typeVocabularySize < 1) {
            throw new IllegalArgumentException("Invalid encoder architecture: " + describe(layers, hiddenSize, heads,
                    intermediateSize));
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("Hidden size " + hiddenSize + " is not a multiple of " + heads + " heads");
        }
    }

    public int headSize() {
        return hiddenSize / heads;
    }

    @Override
    public String toString() {
        return describe(layers, hiddenSize, heads, intermediateSize);
    }

    private static String describe(int layers, int hidden, int heads, int intermediate) {
        return layers + " layers, hidden " + hidden + ", " + heads + " heads, FFN " + intermediate;
    }
}
