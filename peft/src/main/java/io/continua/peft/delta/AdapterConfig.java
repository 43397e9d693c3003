package io.continua.peft.delta;

import io.continua.peft.graph.DeltaLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Bottleneck adapters {@code h + U relu(D h + d) + u} in every layer, the up-projection zero at the
 * start so training starts from the base. Houlsby placement puts one after the attention output and
 * one after the feed-forward output; Pfeiffer only the latter.
 *
 * @param reductionFactor hidden size divided by the bottleneck size
 */
public record AdapterConfig(Placement placement, int reductionFactor) implements DeltaConfig {
    private static final double DOWN_INIT_STD = 0.02;

    /** Where adapters sit in each layer. */
    public enum Placement {
        HOULSBY, PFEIFFER;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Placement fromKey(String key) {
            return Arrays.stream(values()).filter(placement -> placement.key().equals(key.toLowerCase(Locale.ROOT)))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("placement must be houlsby or pfeiffer, got '"
                            + key + "'"));
        }
    }

    public AdapterConfig {
        if (reductionFactor < 1) {
            throw new IllegalArgumentException("Adapter reduction factor must be at least 1, got " + reductionFactor);
        }
    }

    /** Pfeiffer placement with reduction factor 16 (bottleneck 24 on a 384-wide encoder). */
    public static AdapterConfig defaults() {
        return new AdapterConfig(Placement.PFEIFFER, 16);
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.ADAPTER;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new AdapterPiece(placement, reductionFactor)));
    }

    @Override
    public float[] initialValues(String slot, long[] shape, Random random) {
        int count = 1;
        for (long size : shape) {
            count *= (int) size;
        }
        return slot.endsWith(".down") ? DeltaConfig.normal(count, DOWN_INIT_STD, random) : new float[count];
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind().key());
        values.put("placement", placement.key());
        values.put("reduction_factor", Integer.toString(reductionFactor));
        return values;
    }
}
