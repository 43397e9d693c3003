package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * What a delta is made of. Every kind trains the classifier head; the others add their own tensors, through the piece of the encoder graph that their {@link DeltaLayout} names.
 */
public sealed interface DeltaConfig permits LoraConfig, AdapterConfig, Ia3Config, LoreftConfig, PromptTuningConfig,
        PrefixTuningConfig, LlamaAdapterConfig, AdapterFusionConfig, HeadConfig {
    /** Standard deviation of the head's initial weights, as BERT initializes classifiers. */
    double HEAD_INIT_STD = 0.02;
    /** The rate most kinds' tensors train at when a domain does not set {@code learning_rate}. */
    double DEFAULT_LEARNING_RATE = 2e-3;

    DeltaKind kind();

    /** The configuration as flat strings: recorded with every version, and parsed back by {@link DeltaConfigs}. */
    Map<String, String> hyperparameters();

    /** The graph this kind's deltas run on: the pieces it adds to the encoder, and the head. */
    DeltaLayout layout();

    /** Initial values of one of the kind's own tensors. */
    float[] initialValues(String tensor, long[] shape, Random random);

    /**
     * Whether a delta of this configuration is what a domain configured as {@code configured} trains:
     * equal for most kinds; AdapterFusion's deltas pin what their configuration leaves open.
     */
    default boolean isTrainedAs(DeltaConfig configured) {
        return equals(configured);
    }

    /**
     * The rate this kind's tensors train at when a domain does not set {@code learning_rate}: methods
     * whose few parameters act through attention (prompts, prefixes, gates) train better faster.
     */
    default double learningRate() {
        return DEFAULT_LEARNING_RATE;
    }

    /** Untrained tensors fed with every delta of this configuration (LoRA's scaling), by name. */
    default Map<String, float[]> settings() {
        return Map.of();
    }

    /**
     * Restores a constraint on the trained values (in place) after an optimizer step, e.g. LoReFT's
     * orthonormal projection; most kinds have none.
     */
    default void constrain(Map<String, float[]> parameters, Map<String, long[]> shapes) {
    }

    /** The rate LoRA branches drop their input at while training; 0 for kinds without LoRA. */
    default double loraDropout() {
        return 0;
    }

    /** Shapes of the kind's own trainable tensors by name (the head excluded). */
    default Map<String, long[]> ownShapes(EncoderArchitecture architecture) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (DeltaPiece piece : layout().pieces()) {
            piece.tensors(architecture).stream().filter(TensorSpec::trained)
                    .forEach(spec -> shapes.put(spec.name(), spec.shape()));
        }
        return shapes;
    }

    /** Shapes of the frozen tensors a delta of this configuration carries by name (AdapterFusion's sources). */
    default Map<String, long[]> frozenShapes(EncoderArchitecture architecture) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (DeltaPiece piece : layout().pieces()) {
            piece.tensors(architecture).stream().filter(spec -> spec.role() == TensorSpec.Role.FROZEN)
                    .forEach(spec -> shapes.put(spec.name(), spec.shape()));
        }
        return shapes;
    }

    /** Every trainable tensor, head included, for {@code labels} classes. */
    default Map<String, long[]> trainableShapes(EncoderArchitecture architecture, int labels) {
        Map<String, long[]> shapes = new LinkedHashMap<>(ownShapes(architecture));
        shapes.put(DeltaLayout.HEAD_WEIGHT, new long[] {architecture.hiddenSize(), labels});
        shapes.put(DeltaLayout.HEAD_BIAS, new long[] {labels});
        return shapes;
    }

    static float[] normal(int count, double std, Random random) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return values;
    }
}
