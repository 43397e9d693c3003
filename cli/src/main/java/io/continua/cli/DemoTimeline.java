package io.continua.cli;

import java.util.ArrayList;
import java.util.List;

/** What the demo saw over time: evaluation points and version swaps, for the summary and the report. */
final class DemoTimeline {
    /**
     * One evaluation of the served model on the fixed test sample; {@code freshnessSeconds} is how old the newest
     * example the served version learned from was then (NaN before the trainer had one served).
     */
    public record Point(double seconds, long examplesIn, int versions, int servedVersion, double accuracy,
                        double p50LatencyMs, double freshnessSeconds) {
    }

    /** The served version changed. */
    public record Swap(double seconds, int fromVersion, int toVersion) {
    }

    private final List<Point> points = new ArrayList<>();
    private final List<Swap> swaps = new ArrayList<>();

    public synchronized void add(Point point) {
        if (!points.isEmpty()) {
            int previous = points.get(points.size() - 1).servedVersion();
            if (point.servedVersion() != previous && point.servedVersion() > 0) {
                swaps.add(new Swap(point.seconds(), previous, point.servedVersion()));
            }
        }
        points.add(point);
    }

    public synchronized List<Point> points() {
        return List.copyOf(points);
    }

    public synchronized List<Swap> swaps() {
        return List.copyOf(swaps);
    }
}
