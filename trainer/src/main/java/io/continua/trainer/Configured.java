package io.continua.trainer;

import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.KindSearch;
import java.util.HashMap;
import java.util.Map;

/**
 * What a domain's configuration asks its trainer for: a delta of one kind ({@code delta}), or a
 * search among kinds that picks one ({@code kind: auto}, {@code search}). Exactly one is set.
 */
record Configured(DeltaConfig delta, KindSearch search) {
    Configured {
        if ((delta == null) == (search == null)) {
            throw new IllegalArgumentException("A domain is configured for one kind or for a search");
        }
    }

    /** From a domain configuration's kind and hyperparameters (training settings among them are ignored here). */
    static Configured of(String kind, Map<String, String> hyperparameters) {
        if (kind.equals(KindSearch.AUTO)) {
            return new Configured(null, KindSearch.parse(hyperparameters));
        }
        Map<String, String> settings = new HashMap<>(hyperparameters);
        settings.put("kind", kind);
        return new Configured(DeltaConfigs.parse(settings), null);
    }

    /** Whether a delta of configuration {@code trained} is what this asks for (for a search: one of its candidates). */
    boolean accepts(DeltaConfig trained) {
        return delta != null ? trained.isTrainedAs(delta) : search.accepts(trained);
    }

    @Override
    public String toString() {
        return delta != null ? delta.kind().key() + " " + delta.hyperparameters()
                : "auto over " + search.candidates().stream().map(DeltaConfig::hyperparameters).toList();
    }
}
