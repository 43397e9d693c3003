package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaSlot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * What a delta is made of. Every kind trains the classifier head; LoRA and adapters add their own
 * tensors, each bound to a {@link DeltaSlot} of the encoder graph.
 */
public sealed interface DeltaConfig permits LoraConfig, AdapterConfig, HeadConfig {
    /** Standard deviation of the head's initial weights, as BERT initializes classifiers. */
    double HEAD_INIT_STD = 0.02;

    DeltaKind kind();

    /** The configuration as flat strings: recorded with every version, and parsed back by {@link DeltaConfigs}. */
    Map<String, String> hyperparameters();

    /** Shapes of the kind's own trainable tensors by slot (the head excluded). */
    Map<String, long[]> ownShapes(EncoderArchitecture architecture);

    /** Initial values of one of the kind's own tensors. */
    float[] initialValues(String slot, long[] shape, Random random);

    /** The factor LoRA updates are scaled by (alpha / r); 0 for kinds without LoRA. */
    default float loraScaling() {
        return 0f;
    }

    /** The rate LoRA branches drop their input at while training; 0 for kinds without LoRA. */
    default double loraDropout() {
        return 0;
    }

    /** Every trainable tensor, head included, for {@code labels} classes. */
    default Map<String, long[]> trainableShapes(EncoderArchitecture architecture, int labels) {
        Map<String, long[]> shapes = new LinkedHashMap<>(ownShapes(architecture));
        shapes.put(DeltaSlot.HEAD_WEIGHT, new long[] {architecture.hiddenSize(), labels});
        shapes.put(DeltaSlot.HEAD_BIAS, new long[] {labels});
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
