package io.continua.registry.live;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoints a rollout policy has looked at without moving, per domain and question. A checkpoint is
 * looked at once: the window that reached it may still be open, so a second look would test the same
 * checkpoint on more labels and spend its share of the error twice. A look that decides to move is not
 * recorded: the move ends the comparison, and if writing it fails the next round may look again. Only a
 * domain's current comparison per question is kept, so this holds at most two entries per domain. Kept in
 * memory: a writer that takes over may look once more at the checkpoint its predecessor looked at last.
 * Used by the writer thread only.
 */
public final class Looks {
    /** A look at a checkpoint: which question ("rollback", "trial") about which versions, compared since when. */
    public record Look(String domain, String question, List<Integer> versions, Instant since, int checkpoint) {
        boolean sameComparison(Look other) {
            return versions.equals(other.versions) && since.equals(other.since);
        }

        String key() {
            return domain + "/" + question;
        }
    }

    private final Map<String, Look> last = new HashMap<>();

    /** Whether this checkpoint of this comparison (or a later one) was looked at already. */
    boolean seen(Look look) {
        Look previous = last.get(look.key());
        return previous != null && previous.sameComparison(look) && previous.checkpoint() >= look.checkpoint();
    }

    /** The checkpoint was looked at and nothing moved. */
    void saw(Look look) {
        last.put(look.key(), look);
    }
}
