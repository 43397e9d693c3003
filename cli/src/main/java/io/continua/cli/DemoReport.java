package io.continua.cli;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The demo's self-contained HTML report: inline SVG plots, no scripts, no external files. */
final class DemoReport {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 260;
    private static final int MARGIN = 48;

    private DemoReport() {
    }

    static String html(DemoSummary summary, DemoTimeline timeline) {
        List<DemoTimeline.Point> points = timeline.points();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Continua demo</title>")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
                .append("table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}")
                .append("svg{background:#fafafa;border:1px solid #ddd;margin:1em 0}</style></head><body>")
                .append("<h1>Continua demo: ").append(escape(summary.dataset())).append("</h1>")
                .append("<p>Labeled examples streamed into Kafka; the trainer updated a ")
                .append(escape(summary.kind())).append(" delta continually; serving swapped each promoted version in ")
                .append("while it answered. Accuracy is measured through the serving API on held-out test texts.</p>")
                .append("<table>")
                .append(row("Final served accuracy (full test set)", String.format(Locale.ROOT, "%.4f on %d texts",
                        summary.finalAccuracy(), summary.finalTestTexts())))
                .append(row("Final macro-F1", String.format(Locale.ROOT, "%.4f", summary.finalMacroF1())))
                .append(row("Examples published", Long.toString(summary.examples())))
                .append(row("Versions registered", Integer.toString(summary.versions())))
                .append(row("Swaps seen by the evaluator", Integer.toString(summary.swaps())))
                .append(row("Failed requests", Long.toString(summary.failedRequests())))
                .append(row("Wall time", String.format(Locale.ROOT, "%.0f s", summary.wallSeconds())));
        if (summary.offline() != null) {
            html.append(row("Offline, same kind and data (" + summary.offline().epochs() + " epochs)",
                    String.format(Locale.ROOT, "%.4f (served minus offline %+.4f)", summary.offline().accuracy(),
                            summary.finalAccuracy() - summary.offline().accuracy())));
        }
        html.append("</table>");
        html.append("<h2>Served accuracy against examples seen</h2>")
                .append(plot(points, DemoTimeline.Point::examplesIn, DemoTimeline.Point::accuracy, "examples published",
                        "accuracy", 0, 1, List.of()));
        html.append("<h2>Served accuracy and version swaps over time</h2>")
                .append(plot(points, DemoTimeline.Point::seconds, DemoTimeline.Point::accuracy, "seconds", "accuracy", 0, 1,
                        timeline.swaps()));
        double maxLatency = points.stream().mapToDouble(DemoTimeline.Point::p50LatencyMs).max().orElse(1);
        html.append("<h2>p50 latency of single predictions over time</h2>")
                .append(plot(points, DemoTimeline.Point::seconds, DemoTimeline.Point::p50LatencyMs, "seconds", "ms", 0,
                        Math.max(1, maxLatency * 1.1), timeline.swaps()));
        double maxFreshness = points.stream().mapToDouble(DemoTimeline.Point::freshnessSeconds)
                .filter(Double::isFinite).max().orElse(1);
        html.append("<h2>Freshness: age of the newest example the served version learned from</h2>")
                .append(plot(points, DemoTimeline.Point::seconds, DemoTimeline.Point::freshnessSeconds, "seconds", "s",
                        0, Math.max(1, maxFreshness * 1.1), timeline.swaps()));
        html.append("<p>Dashed lines mark the moments the served version changed.</p></body></html>");
        return html.toString();
    }

    private static String plot(List<DemoTimeline.Point> points, ToDoubleFunction<DemoTimeline.Point> x,
                               ToDoubleFunction<DemoTimeline.Point> y, String xLabel, String yLabel, double yMin,
                               double yMax, List<DemoTimeline.Swap> swaps) {
        double xMax = Math.max(1, points.stream().mapToDouble(x).max().orElse(1));
        StringBuilder svg = new StringBuilder("<svg width=\"" + WIDTH + "\" height=\"" + HEIGHT
                + "\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.append(line(MARGIN, HEIGHT - MARGIN, WIDTH - 10, HEIGHT - MARGIN, "#444", false))
                .append(line(MARGIN, 10, MARGIN, HEIGHT - MARGIN, "#444", false));
        for (int tick = 0; tick <= 4; tick++) {
            double value = yMin + (yMax - yMin) * tick / 4;
            double py = py(value, yMin, yMax);
            svg.append(text(4, py + 4, String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.0f", value)))
                    .append(line(MARGIN, py, WIDTH - 10, py, "#e4e4e4", false));
            double xv = xMax * tick / 4;
            svg.append(text(px(xv, xMax) - 10, HEIGHT - MARGIN + 16, String.format(Locale.ROOT, "%.0f", xv)));
        }
        svg.append(text(WIDTH / 2.0 - 40, HEIGHT - 8, xLabel)).append(text(4, 10, yLabel));
        for (DemoTimeline.Swap swap : swaps) {
            double sx = px(swap.seconds(), xMax);
            svg.append(line(sx, 10, sx, HEIGHT - MARGIN, "#d0782a", true));
        }
        // A point without a value (nothing served yet) is left out of the line.
        List<DemoTimeline.Point> drawn = points.stream().filter(point -> Double.isFinite(y.applyAsDouble(point)))
                .toList();
        StringBuilder path = new StringBuilder();
        for (DemoTimeline.Point point : drawn) {
            path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                    px(x.applyAsDouble(point), xMax), py(y.applyAsDouble(point), yMin, yMax)));
        }
        svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#2a6fd0\" stroke-width=\"2\"/>");
        for (DemoTimeline.Point point : drawn) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#2a6fd0\"/>",
                    px(x.applyAsDouble(point), xMax), py(y.applyAsDouble(point), yMin, yMax)));
        }
        return svg.append("</svg>").toString();
    }

    private static double px(double value, double max) {
        return MARGIN + (WIDTH - 10 - MARGIN) * value / max;
    }

    private static double py(double value, double min, double max) {
        return HEIGHT - MARGIN - (HEIGHT - MARGIN - 10) * (value - min) / (max - min);
    }

    private static String line(double x1, double y1, double x2, double y2, String color, boolean dashed) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>",
                x1, y1, x2, y2, color, dashed ? " stroke-dasharray=\"4 3\"" : "");
    }

    private static String text(double x, double y, String content) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\">%s</text>", x, y,
                escape(content));
    }

    private static String row(String name, String value) {
        return "<tr><th>" + escape(name) + "</th><td>" + escape(value) + "</td></tr>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
