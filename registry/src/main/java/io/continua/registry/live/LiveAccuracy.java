package io.continua.registry.live;

import io.continua.schemas.DomainMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
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
 * chosen times see only the windows kept apart (and {@link #keptApartSince} says which times those cover),
 * and memory stays bounded. Thread-safe.
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

    /** Labels summed over windows: a version's all-time figure, or a stretch of time's. */
    private record Sum(long correct, long count, Instant last) {
        static final Sum NONE = new Sum(0, 0, Instant.EPOCH);

        Sum plus(DomainMetrics window) {
            return new Sum(correct + window.getCorrect(), count + window.getCount(),
                    window.getWindowEnd().isAfter(last) ? window.getWindowEnd() : last);
        }
    }

    /** A version's windows: those kept apart, by start, and the sum of those older, in its all-time figure only. */
    private static final class Windows {
        final TreeMap<Instant, DomainMetrics> kept = new TreeMap<>();
        Sum summed = Sum.NONE;
        /** The latest start summed: a window that starts no later is an update of one summed already. */
        Instant summedThrough = Instant.MIN;

        void sumBefore(Instant horizon) {
            while (!kept.isEmpty() && kept.firstEntry().getValue().getWindowEnd().isBefore(horizon)) {
                sum(kept.pollFirstEntry().getValue());
            }
        }

        void sum(DomainMetrics window) {
            summed = summed.plus(window);
            summedThrough = window.getWindowStart();
        }
    }

    /**
     * How far ahead of this clock a window's end may lie and count as its domain's newest: an open window ends
     * up to a window ahead, and hosts' clocks differ; a producer's clock set years ahead must not make every
     * other window look old.
     */
    private static final Duration AHEAD = Duration.ofHours(1);

    private final double confidence;
    private final Duration detail;
    private final Clock clock;
    private final MeterRegistry metrics;
    /** domain → version → its windows. */
    private final Map<String, Map<Integer, Windows>> windows = new HashMap<>();
    /** domain → the end of its newest window: what "behind" is measured from. */
    private final Map<String, Instant> newest = new HashMap<>();

    /**
     * @param detail how far behind its domain's newest window a window is still kept apart
     * @param clock  what a window's end is checked against
     */
    public LiveAccuracy(double confidence, Duration detail, Clock clock, MeterRegistry metrics) {
        this.confidence = confidence;
        this.detail = detail;
        this.clock = clock;
        this.metrics = metrics;
    }

    public double confidence() {
        return confidence;
    }

    public void apply(DomainMetrics window) {
        String domain = window.getDomain();
        boolean added;
        synchronized (this) {
            Instant cap = clock.instant().plus(AHEAD);
            Instant before = horizon(domain);
            newest.merge(domain, window.getWindowEnd().isAfter(cap) ? cap : window.getWindowEnd(),
                    (known, end) -> end.isAfter(known) ? end : known);
            Instant horizon = horizon(domain);
            Map<Integer, Windows> versions = windows.computeIfAbsent(domain, d -> new HashMap<>());
            added = !versions.containsKey(window.getVersion());
            if (horizon.isAfter(before)) {
                versions.values().forEach(each -> each.sumBefore(horizon));
            }
            Windows of = versions.computeIfAbsent(window.getVersion(), version -> new Windows());
            if (!window.getWindowStart().isAfter(of.summedThrough)) {
                // It cannot replace the counts it was summed with; no update comes this late.
                return;
            }
            if (window.getWindowEnd().isBefore(horizon)) {
                of.sum(window);
            } else {
                of.kept.put(window.getWindowStart(), window);
            }
        }
        if (added) {
            gauges(domain, window.getVersion());
        }
    }

    /**
     * Whether every window of the domain that starts at or after {@code since} is still kept apart: a comparison
     * since then is decided on them; one since earlier is not, as part of its labels are summed away.
     */
    public synchronized boolean keptApartSince(String domain, Instant since) {
        return !since.isBefore(horizon(domain));
    }

    private Instant horizon(String domain) {
        Instant latest = newest.get(domain);
        return latest == null ? Instant.MIN : latest.minus(detail);
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
        Windows of = windows.getOrDefault(domain, Map.of()).get(version);
        if (of == null) {
            return Optional.empty();
        }
        Sum all = of.summed;
        for (DomainMetrics window : of.kept.values()) {
            all = all.plus(window);
        }
        return score(all);
    }

    /**
     * A version's live labels in the windows kept apart that lie within {@code [from, to]}: a rollout compares two
     * versions over the same time, and a version with its own record before a move. A window a move falls in is
     * left out: it holds answers from before and after.
     */
    public synchronized Optional<Score> score(String domain, int version, Instant from, Instant to) {
        Sum within = Sum.NONE;
        for (DomainMetrics window : kept(domain, version).tailMap(from, true).values()) {
            if (!window.getWindowEnd().isAfter(to)) {
                within = within.plus(window);
            }
        }
        return score(within);
    }

    private TreeMap<Instant, DomainMetrics> kept(String domain, int version) {
        Windows of = windows.getOrDefault(domain, Map.of()).get(version);
        return of == null ? new TreeMap<>() : of.kept;
    }

    private Optional<Score> score(Sum labels) {
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
            TreeMap<Instant, DomainMetrics> counted = kept(domain, version);
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
        TreeMap<Instant, DomainMetrics> counted = kept(domain, version);
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
