package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.DeltaLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Collectors;

/**
 * AdapterFusion (Pfeiffer et al. 2021, "AdapterFusion: Non-Destructive Task Composition for
 * Transfer Learning"): a domain composes the trained adapters of other domains, its sources, by
 * learning to attend over their outputs at every adapter position; the sources stay frozen. No PEFT
 * type exists for it (adapter-transformers has it); ours differs from the paper in two ways, both
 * to keep the trained part under 1 % of the base: the query and key projections are low-rank
 * ({@code hidden × r}), and there is no value projection (adapter-transformers' {@code value=False}).
 *
 * @param sources         the source domains, each pinned to a version once a delta is composed
 *                        (version 0 in a domain's configuration: the trainer pins its production version)
 * @param placement       the sources' adapter placement (all sources share one adapter configuration); a
 *                        domain's configuration need not say, composing takes it from the sources
 * @param reductionFactor the sources' reduction factor, likewise
 * @param rank            columns of the query and key projections
 */
public record AdapterFusionConfig(List<Source> sources, AdapterConfig.Placement placement, int reductionFactor,
                                  int rank) implements DeltaConfig {
    private static final double INIT_STD = 0.02;
    private static final Pattern SOURCE = Pattern.compile("([A-Za-z0-9._-]+)(?:@(\\d+))?");

    /** A source domain and the version of it the delta composes (0: not pinned yet). */
    public record Source(String domain, int version) {
        public Source {
            if (!SOURCE.matcher(domain).matches() || domain.contains("@")) {
                throw new IllegalArgumentException("Invalid source domain '" + domain + "'");
            }
            if (version < 0) {
                throw new IllegalArgumentException("Invalid version " + version + " of source " + domain);
            }
        }

        public boolean pinned() {
            return version > 0;
        }

        @Override
        public String toString() {
            return pinned() ? domain + "@" + version : domain;
        }

        /** {@code domain} or {@code domain@version}. */
        public static Source parse(String text) {
            Matcher matcher = SOURCE.matcher(text.trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("A source is 'domain' or 'domain@version', got '" + text + "'");
            }
            return new Source(matcher.group(1), matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2)));
        }
    }

    public AdapterFusionConfig {
        if (sources.size() < 2 || sources.size() > 16) {
            throw new IllegalArgumentException("AdapterFusion needs 2..16 source domains, got " + sources.size());
        }
        if (sources.stream().map(Source::domain).distinct().count() != sources.size()) {
            throw new IllegalArgumentException("AdapterFusion sources must be distinct domains, got " + sources);
        }
        if (reductionFactor < 1) {
            throw new IllegalArgumentException("Adapter reduction factor must be at least 1, got " + reductionFactor);
        }
        if (rank < 1 || rank > 256) {
            throw new IllegalArgumentException("AdapterFusion rank must be in 1..256, got " + rank);
        }
        sources = List.copyOf(sources);
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.ADAPTER_FUSION;
    }

    /**
     * The same source domains in the same order and rank; the versions the configuration pins (a
     * domain's usually pins none) and nothing else: the placement and reduction factor come from the
     * sources.
     */
    @Override
    public boolean isTrainedAs(DeltaConfig configured) {
        if (!(configured instanceof AdapterFusionConfig other) || other.rank != rank
                || other.sources.size() != sources.size()) {
            return false;
        }
        for (int index = 0; index < sources.size(); index++) {
            Source wanted = other.sources.get(index);
            Source mine = sources.get(index);
            if (!wanted.domain().equals(mine.domain()) || wanted.pinned() && wanted.version() != mine.version()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new AdapterFusionPiece(sources.size(), placement, reductionFactor, rank)));
    }

    /**
     * A new fusion delta over {@code adapters} (one per source, in order, the version of each in
     * {@code versions}): the configuration pinned to those versions and to their adapter
     * configuration, the adapters' tensors carried frozen, queries and keys freshly initialized.
     */
    public Delta compose(List<Delta> adapters, List<Integer> versions, EncoderArchitecture architecture,
                         List<String> labels, long seed) {
        if (adapters.size() != sources.size() || versions.size() != sources.size()) {
            throw new IllegalArgumentException(sources.size() + " sources, given " + adapters.size() + " adapters and "
                    + versions.size() + " versions");
        }
        AdapterConfig shared = null;
        for (int index = 0; index < adapters.size(); index++) {
            if (!(adapters.get(index).config() instanceof AdapterConfig adapter)) {
                throw new IllegalArgumentException("Source " + sources.get(index).domain() + " version "
                        + versions.get(index) + " is a " + adapters.get(index).config().kind().key()
                        + " delta; AdapterFusion composes adapter deltas");
            }
            if (shared != null && !shared.equals(adapter)) {
                throw new IllegalArgumentException("AdapterFusion sources must share one adapter configuration: "
                        + shared.hyperparameters() + " and " + adapter.hyperparameters());
            }
            shared = adapter;
        }
        List<Source> pinned = IntStream.range(0, sources.size())
                .mapToObj(index -> new Source(sources.get(index).domain(), versions.get(index))).toList();
        AdapterFusionConfig config = new AdapterFusionConfig(pinned, shared.placement(), shared.reductionFactor(), rank);
        Map<String, WeightTensor> frozen = new LinkedHashMap<>();
        for (int index = 0; index < adapters.size(); index++) {
            for (WeightTensor tensor : adapters.get(index).parameters()) {
                if (!tensor.name().equals(DeltaLayout.HEAD_WEIGHT) && !tensor.name().equals(DeltaLayout.HEAD_BIAS)) {
                    String name = AdapterFusionPiece.source(index, tensor.name());
                    frozen.put(name, new WeightTensor(name, tensor.shape(), tensor.values()));
                }
            }
        }
        return Delta.initialize(config, architecture, labels, seed, frozen);
    }

    /** Queries and keys small and random, as adapter-transformers starts them: the sources start equally weighted. */
    @Override
    public float[] initialValues(String tensor, long[] shape, Random random) {
        return DeltaConfig.normal((int) (shape[0] * shape[1]), INIT_STD, random);
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind().key());
        values.put("sources", sources.stream().map(Source::toString).collect(Collectors.joining(",")));
        values.put("placement", placement.key());
        values.put("reduction_factor", Integer.toString(reductionFactor));
        values.put("r", Integer.toString(rank));
        return values;
    }
}
