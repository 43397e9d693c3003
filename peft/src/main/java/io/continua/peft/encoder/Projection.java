package io.continua.peft.encoder;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The six linear projections of a BERT layer: where LoRA can attach. Names follow Hugging Face
 * BERT's module paths, so PEFT's {@code target_modules} and tensor names line up.
 */
public enum Projection {
    QUERY("attention.self.query"),
    KEY("attention.self.key"),
    VALUE("attention.self.value"),
    ATTENTION_OUTPUT("attention.output.dense"),
    INTERMEDIATE("intermediate.dense"),
    OUTPUT("output.dense");

    private final String modulePath;

    Projection(String modulePath) {
        this.modulePath = modulePath;
    }

    /** The module's path inside a layer, e.g. {@code attention.self.query}. */
    public String modulePath() {
        return modulePath;
    }

    /** The short name used in configurations: query, key, value, attention_output, intermediate, output. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int inputSize(EncoderArchitecture architecture) {
        return this == OUTPUT ? architecture.intermediateSize() : architecture.hiddenSize();
    }

    public int outputSize(EncoderArchitecture architecture) {
        return this == INTERMEDIATE ? architecture.intermediateSize() : architecture.hiddenSize();
    }

    /** The weight's parameter name in layer {@code layer}, e.g. {@code encoder.layer.0.attention.self.query.weight}. */
    public String weightName(int layer) {
        return EncoderWeights.layerPrefix(layer) + modulePath + ".weight";
    }

    public String biasName(int layer) {
        return EncoderWeights.layerPrefix(layer) + modulePath + ".bias";
    }

    /** Every projection's key, comma-separated: the {@code targets} value that adapts them all. */
    public static String allKeys() {
        return Arrays.stream(values()).map(Projection::key).collect(Collectors.joining(","));
    }

    public static Projection fromKey(String key) {
        return Arrays.stream(values())
                .filter(projection -> projection.key().equals(key) || projection.modulePath.equals(key))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown projection '" + key + "'; expected one of "
                        + Arrays.stream(values()).map(Projection::key).toList()));
    }
}
