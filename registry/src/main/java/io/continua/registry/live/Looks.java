package io.continua.registry.live;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoints a rollout policy has looked at, per domain and question. A checkpoint is looked at once: the
 * window that reached it may still be open, so a second look would test the same checkpoint on more labels
 * and spend its share of the error twice. Only a domain's current comparison is kept (a new move starts another),
 * so this holds at most two entries per domain. Kept in memory: a writer that takes over may look once more
 * at the checkpoint its predecessor looked at last. Used by the writer thread only.
 */
public final class Looks {
    /** What is compared: the versions, since when. */
    private record Comparison(List<Integer> versions, Instant since) {
    }

    private record Look(Comparison comparison, int checkpoint) {
    }

    private final Map<String, Look> last = new HashMap<>();

    /** Whether {@code checkpoint} of this comparison is looked at for the first time; if so, it counts as looked at. */
    boolean first(String domain, String question, List<Integer> versions, Instant since, int checkpoint) {
        Comparison comparison = new Comparison(versions, since);
        Look previous = last.get(domain + "/" + question);
        if (previous != null && previous.comparison().equals(comparison) && previous.checkpoint() >= checkpoint) {
            return false;
        }
        last.put(domain + "/" + question, new Look(comparison, checkpoint));
        return true;
    }
}
