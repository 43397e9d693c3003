package io.continua.cli;

import java.io.PrintStream;

/** A one-line progress bar on a terminal, redrawn at most ten times a second. */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final long started = System.nanoTime();
    private long lastDrawn;

    ProgressBar(String label, long total, PrintStream out) {
        this.label = label;
        this.total = Math.max(1, total);
        this.out = out;
    }

    synchronized void advance(long done) {
        long now = System.nanoTime();
        if (now - lastDrawn < 100_000_000L && done < total) {
            return;
        }
        lastDrawn = now;
        int filled = (int) (WIDTH * done / total);
        double seconds = (now - started) / 1e9;
        out.printf("\r%s [%s%s] %d/%d  %.0f/s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total,
                seconds > 0 ? done / seconds : 0);
        out.flush();
    }

    synchronized void done() {
        out.println();
    }
}
