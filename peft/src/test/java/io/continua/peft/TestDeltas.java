package io.continua.peft;

import io.continua.peft.delta.Delta;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaLayout;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Deltas for tests: every tensor random, so no part (LoRA's B, an adapter's up) is zero by construction. */
public final class TestDeltas {
    private TestDeltas() {
    }

    /** A head-only delta with {@code labels} classes and a random head. */
    public static Delta randomHead(EncoderArchitecture architecture, int labels, long seed) {
        List<String> names = IntStream.range(0, labels).mapToObj(i -> "label" + i).toList();
        return Delta.initialize(new HeadConfig(), architecture, names, seed).withRandomValues(seed, 1.0);
    }

    /** {@code delta}'s head on the frozen encoder (no LoRA, no adapter): what the delta changes is the rest. */
    public static Delta headOf(Delta delta, EncoderArchitecture architecture) {
        return Delta.initialize(new HeadConfig(), architecture, delta.labels(), 0)
                .withValues(Map.of(DeltaLayout.HEAD_WEIGHT, delta.parameter(DeltaLayout.HEAD_WEIGHT).values(),
                        DeltaLayout.HEAD_BIAS, delta.parameter(DeltaLayout.HEAD_BIAS).values()));
    }
}
