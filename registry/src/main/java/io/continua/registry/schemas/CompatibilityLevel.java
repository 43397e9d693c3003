package io.continua.registry.schemas;

import io.continua.schemas.confluent.ReadCompatibility;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Confluent Schema Registry's compatibility levels: which earlier versions of a subject a new schema
 * is checked against (the latest, or all for the transitive ones), and in which direction (BACKWARD:
 * the new schema reads data written with them; FORWARD: they read data written with it; FULL: both).
 */
public enum CompatibilityLevel {
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true),
    NONE(false, false, false);

    /** Confluent's default. */
    public static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Why {@code candidate} may not follow {@code earlier} (oldest first) at this level; empty if it may. */
    public List<String> problems(Schema candidate, List<Schema> earlier) {
        List<Schema> against = transitive || earlier.isEmpty() ? earlier : List.of(earlier.get(earlier.size() - 1));
        List<String> problems = new ArrayList<>();
        for (Schema existing : against) {
            if (backward) {
                ReadCompatibility.problems(candidate, existing).forEach(problem -> problems.add(
                        "the new schema cannot read data written with an earlier one: " + problem));
            }
            if (forward) {
                ReadCompatibility.problems(existing, candidate).forEach(problem -> problems.add(
                        "an earlier schema cannot read data written with the new one: " + problem));
            }
        }
        return problems;
    }
}
