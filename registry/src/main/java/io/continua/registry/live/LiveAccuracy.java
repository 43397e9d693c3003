package io.continua.registry.live;

import io.continua.schemas.DomainMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Prequential (test-then-train) accuracy of every domain's versions on live traffic: what ingest
 * measures by joining each prediction with the label that later arrives for its request, published
 * per version and time window to the {@code metrics} topic. A window's record is replaced by its
 * later updates (ingest sends the running count of an open window); a version's score is the sum
 * over its windows, with a Wilson interval at the configured confidence. Windows further behind their
 * domain's newest than {@code detail} are summed into their version's all-time figure: decisions over
 * chosen times see only the windows kept apart, and memory stays bounded. Thread-safe.
 */
public final class LiveAccuracy {
    /**
     * A version's live score.
     *
     * @param low  the lower end of its confidence interval
     * @param high the upper end
     * @param last the end of the latest window that counted
     */
    public record Score(long correct, long count, double accuracy, double low, double high, Instant last) {
    }

    /** The labels of a version's windows that were summed: counted in its all-time score only. */
    private record Summed(long correct, long count, Instant last) {
        static final Summed NONE = new Summed(0, 0, Instant.EPOCH);

        Summed plus(DomainMetrics window) {
            return new Summed(correct + window.getCorrect(), count + window.getCount(),
                    window.getWindowEnd().isAfter(last) ? window.getWindowEnd() : last);
        }
    }

    private final double confidence;
    private final Duration detail;
    private final MeterRegistry metrics;
    /** domain → version → window start → the window's latest counts. */
    private final Map<String, Map<Integer, TreeMap<Instant, DomainMetrics>>> windows = new HashMap<>();
    /** domain → version → its windows summed away. */
    private final Map<String, Map<Integer, Summed>> summed = new HashMap<>();
    /** domain → the end of its newest window: what "behind" is measured from. */
    private final Map<String, Instant> newest = new HashMap<>();

    /** @param detail how far behind its domain's newest window a window is still kept apart */
    public LiveAccuracy(double confidence, Duration detail, MeterRegistry metrics) {
        this.confidence = confidence;
        this.detail = detail;
        this.metrics = metrics;
    }

    public double confidence() {
        return confidence;
    }

    public void apply(DomainMetrics window) {
        String domain = window.getDomain();
        boolean added;
        synchronized (this) {
            Instant latest = newest.merge(domain, window.getWindowEnd(),
                    (known, end) -> end.isAfter(known) ? end : known);
            Instant horizon = latest.minus(detail);
            if (window.getWindowEnd().isBefore(horizon)) {
                // An update of a window already summed cannot replace its earlier counts; none comes this late.
                return;
            }
            Map<Integer, TreeMap<Instant, DomainMetrics>> versions = windows.computeIfAbsent(domain,
                    d -> new HashMap<>());
            added = !versions.containsKey(window.getVersion())
                    && !summed.getOrDefault(domain, Map.of()).containsKey(window.getVersion());
            versions.computeIfAbsent(window.getVersion(), version -> new TreeMap<>())
                    .put(window.getWindowStart(), window);
            versions.forEach((version, kept) -> sumBefore(domain, version, kept, horizon));
        }
        if (added) {
            gauges(domain, window.getVersion());
        }
    }

    private void sumBefore(String domain, int version, TreeMap<Instant, DomainMetrics> kept, Instant horizon) {
        while (!kept.isEmpty() && kept.firstEntry().getValue().getWindowEnd().isBefore(horizon)) {
            DomainMetrics old = kept.pollFirstEntry().getValue();
            summed.computeIfAbsent(domain, d -> new HashMap<>()).merge(version, Summed.NONE.plus(old),
                    (earlier, more) -> earlier.plus(old));
        }
    }

    /** Every version of the domain with live labels, by version. */
    public synchronized Map<Integer, Score> scores(String domain) {
        Map<Integer, Score> scores = new TreeMap<>();
        windows.getOrDefault(domain, Map.of()).keySet().forEach(version -> score(domain, version)
                .ifPresent(score -> scores.put(version, score)));
        return scores;
    }

    /** All of a version's live labels, those summed away included. */
    public synchronized Optional<Score> score(String domain, int version) {
        Summed all = summed.getOrDefault(domain, Map.of()).getOrDefault(version, Summed.NONE);
        for (DomainMetrics window : windows.getOrDefault(domain, Map.of()).getOrDefault(version, new TreeMap<>())
                .values()) {
            all = all.plus(window);
        }
        return score(all);
    }

    /**
     * A version's live labels in the windows that lie within {@code [from, to]}: a rollout compares two versions
     * over the same time, and a version with its own record before a move. A window a move falls in is left out:
     * it holds answers from before and after.
     */
    public synchronized Optional<Score> score(String domain, int version, Instant from, Instant to) {
        TreeMap<Instant, DomainMetrics> counted = windows.getOrDefault(domain, Map.of()).get(version);
        if (counted == null || counted.isEmpty()) {
            return Optional.empty();
        }
        Summed within = Summed.NONE;
        for (DomainMetrics window : counted.tailMap(from, true).values()) {
            if (!window.getWindowEnd().isAfter(to)) {
                within = within.plus(window);
            }
        }
        return score(within);
    }

    private Optional<Score> score(Summed labels) {
        if (labels.count() == 0) {
            return Optional.empty();
        }
        WilsonInterval interval = WilsonInterval.of(labels.correct(), labels.count(), confidence);
        return Optional.of(new Score(labels.correct(), labels.count(), (double) labels.correct() / labels.count(),
                interval.low(), interval.high(), labels.last()));
    }

    /**
     * The earliest window end by which every one of {@code versions} has at least {@code labels} live labels in
     * windows starting at or after {@code from}; empty until they all have. Decisions look at the data up to such
     * points, which two versions reach at different times.
     */
    public synchronized Optional<Instant> reached(String domain, List<Integer> versions, Instant from, long labels) {
        Instant latest = Instant.MIN;
        for (int version : versions) {
            TreeMap<Instant, DomainMetrics> counted = windows.getOrDefault(domain, Map.of()).get(version);
            if (counted == null) {
                return Optional.empty();
            }
            long count = 0;
            Instant end = null;
            for (DomainMetrics window : counted.tailMap(from, true).values()) {
                count += window.getCount();
                if (count >= labels) {
                    end = window.getWindowEnd();
                    break;
                }
            }
            if (end == null) {
                return Optional.empty();
            }
            latest = end.isAfter(latest) ? end : latest;
        }
        return Optional.of(latest);
    }

    /**
     * A version's most recent live labels in windows that end by {@code until}, as few windows as make
     * {@code labels}, or all it had if fewer: a version's record just before it stopped serving.
     */
    public synchronized Optional<Score> latestBefore(String domain, int version, Instant until, long labels) {
        TreeMap<Instant, DomainMetrics> counted = windows.getOrDefault(domain, Map.of()).get(version);
        if (counted == null) {
            return Optional.empty();
        }
        Instant from = null;
        long count = 0;
        for (DomainMetrics window : counted.headMap(until, false).descendingMap().values()) {
            if (window.getWindowEnd().isAfter(until)) {
                continue;
            }
            count += window.getCount();
            from = window.getWindowStart();
            if (count >= labels) {
                break;
            }
        }
        return from == null ? Optional.empty() : score(domain, version, from, until);
    }

    /** What an operator graphs and alerts on, per domain and version. */
    private void gauges(String domain, int version) {
        String tag = Integer.toString(version);
        Gauge.builder("continua_live_accuracy", this, live -> live.value(domain, version, Score::accuracy))
                .description("Prequential accuracy on live labels").tags("domain", domain, "version", tag)
                .register(metrics);
        Gauge.builder("continua_live_accuracy_low", this, live -> live.value(domain, version, Score::low))
                .description("Lower end of the live accuracy's confidence interval")
                .tags("domain", domain, "version", tag).register(metrics);
        Gauge.builder("continua_live_accuracy_high", this, live -> live.value(domain, version, Score::high))
                .description("Upper end of the live accuracy's confidence interval")
                .tags("domain", domain, "version", tag).register(metrics);
        Gauge.builder("continua_live_labels", this, live -> live.value(domain, version, score -> score.count()))
                .description("Live labels joined with this version's predictions")
                .tags("domain", domain, "version", tag).register(metrics);
    }

    private double value(String domain, int version, ToDoubleFunction<Score> of) {
        return score(domain, version).map(of::applyAsDouble).orElse(Double.NaN);
    }
}
