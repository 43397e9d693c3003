package io.continua.registry;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.Comparison;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A domain's promotion policy: {@code manual} never moves {@code production} by itself; {@code auto}
 * moves it to a new version only on like-for-like evidence: the candidate and the current
 * production version scored on the same examples (the upload's {@link Comparison}), enough of them,
 * covering enough of the candidate's labels, and the candidate no worse than the margin allows.
 * Metrics measured on different examples are never compared: a version that scored 1.0 on a few
 * easy examples must not block every later one.
 */
public final class Promotion {
    public static final String PRODUCTION = "production";
    static final String MANUAL = "manual";
    /** The policy under which promotion (and, in a rollout, its decisions) happen without a person. */
    public static final String AUTO = "auto";

    /** The metrics auto promotion compares, with the direction in which they improve. */
    enum Metric {
        HOLDOUT_ACCURACY(true), HOLDOUT_MACRO_F1(true), HOLDOUT_LOSS(false);

        private final boolean higherIsBetter;

        Metric(boolean higherIsBetter) {
            this.higherIsBetter = higherIsBetter;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Metric> fromKey(String key) {
            return Arrays.stream(values()).filter(metric -> metric.key().equals(key)).findFirst();
        }

        static String keys() {
            return Arrays.stream(values()).map(Metric::key).toList().toString();
        }
    }

    /** Whether production moves to the candidate, and why (recorded on the alias move, or answered to the uploader). */
    record Decision(boolean promote, String reason) {
        static Decision promote(String reason) {
            return new Decision(true, "auto: " + reason);
        }

        static Decision keep(String reason) {
            return new Decision(false, reason);
        }
    }

    private Promotion() {
    }

    /**
     * Whether production moves to {@code candidate}: never while an operator holds it
     * ({@code pointer} is the alias's pointer, {@code current} the version it points at).
     */
    static Decision decide(DomainConfig config, Optional<AliasPointer> pointer, Optional<DeltaVersion> current,
                           DeltaVersion candidate) {
        if (pointer.isPresent() && pointer.get().getHeld()) {
            return Decision.keep("production is held at version " + pointer.get().getVersion() + " by "
                    + pointer.get().getActor() + " (" + pointer.get().getReason()
                    + "); auto promotion resumes after a release");
        }
        if (!config.getPromotionPolicy().equals(AUTO)) {
            return Decision.keep("promotion policy is " + config.getPromotionPolicy());
        }
        if (current.isEmpty()) {
            return Decision.promote("first version of the domain");
        }
        int production = current.get().getVersion();
        Comparison comparison = candidate.getComparison();
        if (comparison == null) {
            return Decision.keep("no paired evidence against production version " + production);
        }
        if (comparison.getVersion() != production) {
            return Decision.keep("compared with version " + comparison.getVersion() + ", but production is version "
                    + production);
        }
        if (comparison.getExamples() < config.getPromotionMinExamples()) {
            return Decision.keep("compared on " + comparison.getExamples() + " examples, fewer than the "
                    + config.getPromotionMinExamples() + " required");
        }
        double coverage = (double) comparison.getLabelsCovered() / candidate.getLabels().size();
        if (coverage < config.getPromotionMinLabelCoverage()) {
            return Decision.keep(String.format(Locale.ROOT, "the compared examples cover %d of %d labels (%.2f), "
                            + "less than the %.2f required", comparison.getLabelsCovered(), candidate.getLabels().size(),
                    coverage, config.getPromotionMinLabelCoverage()));
        }
        String key = config.getPromotionMetric();
        Optional<Metric> known = Metric.fromKey(key);
        if (known.isEmpty()) {
            // A configuration written before metrics were checked may name anything: keep production, refuse nothing.
            return Decision.keep("unknown promotion metric '" + key + "'; set one of " + Metric.keys());
        }
        Metric metric = known.get();
        Double proposed = candidate.getMetrics().get(key);
        Double now = comparison.getMetrics().get(key);
        if (proposed == null || now == null || proposed.isNaN() || now.isNaN()) {
            return Decision.keep("the comparison has no " + key + " for both versions");
        }
        double margin = config.getPromotionMargin();
        boolean good = metric.higherIsBetter ? proposed >= now - margin : proposed <= now + margin;
        String figures = String.format(Locale.ROOT, "%s %.4f against production version %d's %.4f on the same %d "
                + "examples (margin %.4f)", key, proposed, production, now, comparison.getExamples(), margin);
        return good ? Decision.promote(figures) : Decision.keep(figures);
    }
}
