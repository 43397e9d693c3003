package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.DeltaLayout;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A trained (or freshly initialized) delta for one domain: its configuration, its label list (the
 * head's classes, in order), its trainable tensors, and the frozen tensors it carries from other
 * deltas it composes (AdapterFusion's sources; none for other kinds). Immutable; training produces
 * new snapshots.
 */
public final class Delta {
    private final DeltaConfig config;
    private final List<String> labels;
    private final Map<String, WeightTensor> parameters;
    private final Map<String, WeightTensor> frozen;

    public Delta(DeltaConfig config, List<String> labels, Map<String, WeightTensor> parameters) {
        this(config, labels, parameters, Map.of());
    }

    public Delta(DeltaConfig config, List<String> labels, Map<String, WeightTensor> parameters,
                 Map<String, WeightTensor> frozen) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("A delta needs at least one label");
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("Duplicate labels in " + labels);
        }
        this.config = config;
        this.labels = List.copyOf(labels);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.frozen = Collections.unmodifiableMap(new LinkedHashMap<>(frozen));
    }

    /** A new delta: the kind's tensors as its config initializes them, a small random head. */
    public static Delta initialize(DeltaConfig config, EncoderArchitecture architecture, List<String> labels,
                                   long seed) {
        return initialize(config, architecture, labels, seed, Map.of());
    }

    /**
     * As {@link #initialize(DeltaConfig, EncoderArchitecture, List, long)}, carrying {@code frozen}:
     * exactly the frozen tensors the configuration declares, in their shapes.
     */
    public static Delta initialize(DeltaConfig config, EncoderArchitecture architecture, List<String> labels,
                                   long seed, Map<String, WeightTensor> frozen) {
        Map<String, long[]> declared = config.frozenShapes(architecture);
        if (!declared.keySet().equals(frozen.keySet())) {
            throw new IllegalArgumentException("A " + config.kind().key() + " delta carries frozen tensors "
                    + declared.keySet() + ", given " + frozen.keySet());
        }
        declared.forEach((name, shape) -> {
            if (!Arrays.equals(shape, frozen.get(name).shape())) {
                throw new IllegalArgumentException("Frozen tensor " + name + " must be " + Arrays.toString(shape)
                        + ", given " + Arrays.toString(frozen.get(name).shape()));
            }
        });
        Random random = new Random(seed);
        Map<String, WeightTensor> parameters = new LinkedHashMap<>();
        config.ownShapes(architecture).forEach((slot, shape) ->
                parameters.put(slot, new WeightTensor(slot, shape, config.initialValues(slot, shape, random))));
        int hidden = architecture.hiddenSize();
        parameters.put(DeltaLayout.HEAD_WEIGHT, new WeightTensor(DeltaLayout.HEAD_WEIGHT,
                new long[] {hidden, labels.size()},
                DeltaConfig.normal(hidden * labels.size(), DeltaConfig.HEAD_INIT_STD, random)));
        parameters.put(DeltaLayout.HEAD_BIAS, new WeightTensor(DeltaLayout.HEAD_BIAS, new long[] {labels.size()},
                new float[labels.size()]));
        return new Delta(config, labels, parameters, frozen);
    }

    public DeltaConfig config() {
        return config;
    }

    public List<String> labels() {
        return labels;
    }

    public WeightTensor parameter(String slot) {
        WeightTensor tensor = parameters.get(slot);
        if (tensor == null) {
            throw new IllegalArgumentException("This " + config.kind().key() + " delta has no tensor " + slot);
        }
        return tensor;
    }

    public Collection<WeightTensor> parameters() {
        return parameters.values();
    }

    /** The frozen tensors the delta carries (not trained, not counted as its parameters). */
    public Collection<WeightTensor> frozen() {
        return frozen.values();
    }

    public long trainableParameters() {
        return parameters.values().stream().mapToLong(tensor -> tensor.values().length).sum();
    }

    /** Trainable parameters of the kind itself, the head excluded. */
    public long ownParameters() {
        return trainableParameters() - parameter(DeltaLayout.HEAD_WEIGHT).values().length
                - parameter(DeltaLayout.HEAD_BIAS).values().length;
    }

    /** The same delta with new values for the tensors named in {@code values} (same shapes). */
    public Delta withValues(Map<String, float[]> values) {
        Map<String, WeightTensor> updated = new LinkedHashMap<>(parameters);
        values.forEach((slot, array) -> {
            WeightTensor current = parameter(slot);
            updated.put(slot, new WeightTensor(slot, current.shape(), array));
        });
        return new Delta(config, labels, updated, frozen);
    }

    /**
     * The same delta with every trained tensor drawn from N(0, std²): what benchmarks and tests use
     * where every part of a delta must change the encoder (a fresh LoRA's B and adapter's up are zero).
     */
    public Delta withRandomValues(long seed, double std) {
        Random random = new Random(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (WeightTensor tensor : parameters.values()) {
            values.put(tensor.name(), DeltaConfig.normal(tensor.values().length, std, random));
        }
        return withValues(values);
    }

    /**
     * The delta with {@code newLabels} appended to its label list: the head grows by one column per
     * new label (small random weights, zero bias) and every existing class keeps its weights.
     */
    public Delta withLabelsAdded(List<String> newLabels, long seed) {
        List<String> added = newLabels.stream().filter(label -> !labels.contains(label)).distinct().toList();
        if (added.isEmpty()) {
            return this;
        }
        List<String> grown = new java.util.ArrayList<>(labels);
        grown.addAll(added);
        WeightTensor weight = parameter(DeltaLayout.HEAD_WEIGHT);
        int hidden = (int) weight.dim(0);
        int before = labels.size();
        int after = grown.size();
        float[] fresh = DeltaConfig.normal(hidden * (after - before), DeltaConfig.HEAD_INIT_STD, new Random(seed));
        float[] grownWeight = new float[hidden * after];
        for (int row = 0; row < hidden; row++) {
            System.arraycopy(weight.values(), row * before, grownWeight, row * after, before);
            System.arraycopy(fresh, row * (after - before), grownWeight, row * after + before, after - before);
        }
        Map<String, WeightTensor> updated = new LinkedHashMap<>(parameters);
        updated.put(DeltaLayout.HEAD_WEIGHT, new WeightTensor(DeltaLayout.HEAD_WEIGHT, new long[] {hidden, after},
                grownWeight));
        updated.put(DeltaLayout.HEAD_BIAS, new WeightTensor(DeltaLayout.HEAD_BIAS, new long[] {after},
                Arrays.copyOf(parameter(DeltaLayout.HEAD_BIAS).values(), after)));
        return new Delta(config, grown, updated, frozen);
    }

    /**
     * Everything the encoder graph is fed for this delta: its trained and frozen tensors and its
     * configuration's settings.
     */
    public Map<String, WeightTensor> inputs() {
        Map<String, WeightTensor> inputs = new LinkedHashMap<>(parameters);
        inputs.putAll(frozen);
        config.settings().forEach((name, values) -> inputs.put(name, new WeightTensor(name, new long[0], values)));
        return inputs;
    }
}
