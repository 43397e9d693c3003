package io.continua.cli;

import java.io.PrintStream;

/**
 * Progress of a long piece of work: on a terminal a one-line bar redrawn at most ten times a second;
 * written to a file or a pipe (no console), a line at every tenth of the way, so a log keeps a few
 * readable lines instead of a bar redrawn thousands of times.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastDrawn;
    private long lastTenth = -1;

    ProgressBar(String label, long total, PrintStream out) {
        this(label, total, out, System.console() != null);
    }

    ProgressBar(String label, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = Math.max(1, total);
        this.out = out;
        this.terminal = terminal;
    }

    synchronized void advance(long done) {
        long now = System.nanoTime();
        double seconds = (now - started) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        if (!terminal) {
            long tenth = 10 * done / total;
            if (tenth != lastTenth) {
                lastTenth = tenth;
                out.printf("%s %d/%d (%d%%)  %.0f/s%n", label, done, total, 100 * done / total, rate);
            }
            return;
        }
        if (now - lastDrawn < 100_000_000L && done < total) {
            return;
        }
        lastDrawn = now;
        int filled = (int) (WIDTH * done / total);
        out.printf("\r%s [%s%s] %d/%d  %.0f/s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total,
                rate);
        out.flush();
    }

    synchronized void done() {
        if (terminal) {
            out.println();
        }
    }
}
