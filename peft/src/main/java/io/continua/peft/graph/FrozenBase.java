package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderWeights;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.runtime.TensorFlowRuntime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.types.TFloat32;

/**
 * The frozen encoder's parameters as TensorFlow tensors, created once per process per encoder and
 * fed to every graph that runs it: any number of graphs and domains share this one copy.
 */
public final class FrozenBase {
    /** Op-name prefix of the placeholders through which base parameters are fed. */
    public static final String PREFIX = "base.";
    private static final Map<String, FrozenBase> LOADED = new ConcurrentHashMap<>();

    private final Map<String, TFloat32> tensors;

    private FrozenBase(EncoderWeights weights) {
        Map<String, TFloat32> byName = new LinkedHashMap<>();
        for (WeightTensor weight : weights.all()) {
            byName.put(weight.name(), TfTensors.floats(weight));
        }
        this.tensors = Collections.unmodifiableMap(byName);
    }

    public static FrozenBase of(PretrainedEncoder encoder) {
        TensorFlowRuntime.ensureStarted();
        return LOADED.computeIfAbsent(encoder.fingerprint(), fingerprint -> new FrozenBase(encoder.weights()));
    }

    public TFloat32 tensor(String name) {
        TFloat32 tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("No frozen base parameter " + name);
        }
        return tensor;
    }

    public static String placeholderName(String parameter) {
        return PREFIX + parameter;
    }
}
