package io.continua.peft;

import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.AdapterFusionConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
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

    /**
     * A new delta of {@code config}: as {@link Delta#initialize}, except that an AdapterFusion delta
     * is composed over random adapters of its sources' configuration, pinned to versions 1, 2, ...
     */
    public static Delta initialize(DeltaConfig config, EncoderArchitecture architecture, List<String> labels,
                                   long seed) {
        if (!(config instanceof AdapterFusionConfig fusion)) {
            return Delta.initialize(config, architecture, labels, seed);
        }
        AdapterConfig adapter = new AdapterConfig(fusion.placement(), fusion.reductionFactor());
        List<Delta> sources = IntStream.range(0, fusion.sources().size())
                .mapToObj(i -> Delta.initialize(adapter, architecture, List.of("x"), seed + i)
                        .withRandomValues(seed + i, 0.1))
                .toList();
        return fusion.compose(sources, IntStream.rangeClosed(1, sources.size()).boxed().toList(), architecture, labels,
                seed);
    }

    /** An AdapterFusion configuration over {@code sources} source domains' adapters. */
    public static AdapterFusionConfig fusion(int sources, AdapterConfig.Placement placement, int reductionFactor,
                                             int rank) {
        return new AdapterFusionConfig(IntStream.range(0, sources)
                .mapToObj(i -> new AdapterFusionConfig.Source("source" + i, 0)).toList(), placement, reductionFactor,
                rank);
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
