package io.continua.peft.encoder;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frozen weights of a BERT-family encoder under Hugging Face BERT parameter names, with the
 * architecture derived from them. Held once per process and shared by every graph that uses it.
 */
public final class EncoderWeights {
    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    public static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    public static final String TOKEN_TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";
    public static final String EMBEDDINGS_NORM = "embeddings.LayerNorm";

    private final EncoderArchitecture architecture;
    private final Map<String, WeightTensor> tensors;

    /**
     * @param tensors every parameter by name; the number of layers, hidden and FFN sizes are read from them
     * @param heads   attention heads: not recoverable from weight shapes, so the caller reads it from the model
     */
    public EncoderWeights(Map<String, WeightTensor> tensors, int heads, float layerNormEpsilon) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.architecture = deriveArchitecture(heads, layerNormEpsilon);
        validate();
    }

    public EncoderArchitecture architecture() {
        return architecture;
    }

    public WeightTensor get(String name) {
        WeightTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("The encoder has no parameter named " + name);
        }
        return tensor;
    }

    public Collection<WeightTensor> all() {
        return tensors.values();
    }

    public long parameterCount() {
        return tensors.values().stream().mapToLong(tensor -> tensor.values().length).sum();
    }

    public static String layerPrefix(int layer) {
        return "encoder.layer." + layer + ".";
    }

    public static String attentionNorm(int layer) {
        return layerPrefix(layer) + "attention.output.LayerNorm";
    }

    public static String outputNorm(int layer) {
        return layerPrefix(layer) + "output.LayerNorm";
    }

    private EncoderArchitecture deriveArchitecture(int heads, float layerNormEpsilon) {
        WeightTensor words = get(WORD_EMBEDDINGS);
        int layers = 0;
        while (tensors.containsKey(Projection.QUERY.weightName(layers))) {
            layers++;
        }
        return new EncoderArchitecture(layers, (int) words.dim(1), heads,
                (int) get(Projection.INTERMEDIATE.biasName(0)).dim(0), (int) words.dim(0),
                (int) get(POSITION_EMBEDDINGS).dim(0), (int) get(TOKEN_TYPE_EMBEDDINGS).dim(0), layerNormEpsilon);
    }

    /** Every parameter the graph needs is present with the shape the architecture implies. */
    private void validate() {
        int hidden = architecture.hiddenSize();
        expectShape(POSITION_EMBEDDINGS, architecture.maxPositions(), hidden);
        expectShape(TOKEN_TYPE_EMBEDDINGS, architecture.typeVocabularySize(), hidden);
        expectShape(EMBEDDINGS_NORM + ".weight", hidden);
        expectShape(EMBEDDINGS_NORM + ".bias", hidden);
        for (int layer = 0; layer < architecture.layers(); layer++) {
            for (Projection projection : Projection.values()) {
                expectShape(projection.weightName(layer), projection.inputSize(architecture),
                        projection.outputSize(architecture));
                expectShape(projection.biasName(layer), projection.outputSize(architecture));
            }
            for (String norm : new String[] {attentionNorm(layer), outputNorm(layer)}) {
                expectShape(norm + ".weight", hidden);
                expectShape(norm + ".bias", hidden);
            }
        }
    }

    private void expectShape(String name, long... shape) {
        WeightTensor tensor = get(name);
        if (!java.util.Arrays.equals(tensor.shape(), shape)) {
            throw new IllegalArgumentException("Encoder parameter " + name + " has shape "
                    + java.util.Arrays.toString(tensor.shape()) + ", expected " + java.util.Arrays.toString(shape)
                    + " for " + architecture);
        }
    }
}
