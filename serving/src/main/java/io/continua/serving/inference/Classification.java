package io.continua.serving.inference;

import java.util.List;

/** One text's answer: the top label, the top-k scores, the version that produced it, and whether it was truncated. */
public record Classification(String label, List<Score> scores, int version, boolean truncated) {
    /** A label and its probability. */
    public record Score(String label, double score) {
    }

    public Classification {
        scores = List.copyOf(scores);
    }
}
