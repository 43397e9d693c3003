package io.continua.registry;

import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import java.util.Locale;
import java.util.Optional;

/**
 * A domain's promotion policy: {@code manual} never moves {@code production} by itself; {@code auto}
 * moves it to a new version whose metric is not worse than the current one's by more than the margin.
 */
public final class Promotion {
    public static final String PRODUCTION = "production";
    static final String MANUAL = "manual";
    static final String AUTO = "auto";

    private Promotion() {
    }

    /** Why production should move to {@code candidate}, or empty to leave it. */
    static Optional<String> reasonToPromote(DomainConfig config, Optional<DeltaVersion> current, DeltaVersion candidate) {
        if (!config.getPromotionPolicy().equals(AUTO)) {
            return Optional.empty();
        }
        String metric = config.getPromotionMetric();
        if (current.isEmpty()) {
            return Optional.of("auto: first version of the domain");
        }
        Double now = current.get().getMetrics().get(metric);
        Double proposed = candidate.getMetrics().get(metric);
        if (now == null) {
            return Optional.of("auto: the current version has no " + metric);
        }
        if (proposed == null) {
            return Optional.empty();
        }
        double margin = config.getPromotionMargin();
        if (proposed >= now - margin) {
            return Optional.of(String.format(Locale.ROOT, "auto: %s %.4f >= %.4f - %.4f", metric, proposed, now, margin));
        }
        return Optional.empty();
    }
}
