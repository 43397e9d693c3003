package io.continua.peft.delta;

import io.continua.peft.graph.DeltaLayout;
import java.util.Map;
import java.util.Random;

/** A linear probe on the frozen pooled embedding: nothing but the head trains. */
public record HeadConfig() implements DeltaConfig {
    @Override
    public DeltaKind kind() {
        return DeltaKind.HEAD;
    }

    @Override
    public Map<String, String> hyperparameters() {
        return Map.of("kind", kind().key());
    }

    @Override
    public DeltaLayout layout() {
        return DeltaLayout.headOnly();
    }

    @Override
    public float[] initialValues(String slot, long[] shape, Random random) {
        throw new IllegalArgumentException("A head-only delta has no tensor " + slot);
    }
}
