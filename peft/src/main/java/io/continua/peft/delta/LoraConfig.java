package io.continua.peft.delta;

import io.continua.peft.encoder.Projection;
import io.continua.peft.graph.DeltaLayout;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * LoRA: {@code W x + (alpha / r) B A x} on each target projection of each chosen layer, A
 * Kaiming-uniform and B zero at the start (so training starts from the base), as PEFT does.
 *
 * @param layers the layers to adapt; empty means all
 */
public record LoraConfig(int rank, double alpha, double dropout, Set<Projection> targets, List<Integer> layers)
        implements DeltaConfig {
    public static final Set<Projection> DEFAULT_TARGETS =
            Collections.unmodifiableSet(EnumSet.of(Projection.QUERY, Projection.VALUE));

    public LoraConfig {
        if (rank < 1 || rank > 1024) {
            throw new IllegalArgumentException("LoRA rank must be in 1..1024, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("LoRA alpha must be positive, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target projection");
        }
        // An EnumSet keeps the projections in their declared order, so slot names and keys are stable.
        targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
        layers = layers.stream().sorted().distinct().toList();
    }

    /** r = 8, alpha = 16, no dropout, on query and value in every layer. */
    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.0, DEFAULT_TARGETS, List.of());
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.LORA;
    }

    @Override
    public double loraDropout() {
        return dropout;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new LoraPiece(rank, targets, layers)));
    }

    /** {@code alpha / r}, the factor LoRA's update is scaled by. */
    @Override
    public Map<String, float[]> settings() {
        return Map.of(LoraPiece.SCALING, new float[] {(float) (alpha / rank)});
    }

    @Override
    public float[] initialValues(String slot, long[] shape, Random random) {
        int count = (int) (shape[0] * shape[1]);
        if (slot.endsWith(".B")) {
            return new float[count];
        }
        double bound = 1 / Math.sqrt(shape[0]);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return values;
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind().key());
        values.put("r", Integer.toString(rank));
        values.put("alpha", Double.toString(alpha));
        values.put("dropout", Double.toString(dropout));
        values.put("targets", targets.stream().map(Projection::key).collect(Collectors.joining(",")));
        values.put("layers", ChosenLayers.key(layers));
        return values;
    }
}
