package io.continua.peft.delta;

import com.google.gson.Gson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code kind: auto} in a domain's configuration: a small search over delta kinds and ranks on the
 * domain's own examples. Each candidate trains for its share of the compute budget
 * ({@code search_steps}) on the domain's training examples and is scored on its holdout; the
 * choice is the most accurate, except that a candidate within {@code tolerance} of that accuracy
 * with fewer trainable parameters (then a lower latency) is preferred: a smaller delta that is as
 * good is cheaper to train, store and serve.
 *
 * @param candidates  the configurations tried, in order
 * @param searchSteps optimizer steps for the whole search, shared equally by the candidates
 * @param tolerance   accuracy a candidate may give up for fewer parameters or less latency
 */
public record KindSearch(List<DeltaConfig> candidates, int searchSteps, double tolerance) {
    /** The kind a domain's configuration names to ask for a search. */
    public static final String AUTO = "auto";
    public static final Set<String> SETTINGS = Set.of("candidates", "ranks", "search_steps", "tolerance");
    private static final Set<DeltaKind> RANKED = Set.of(DeltaKind.LORA, DeltaKind.LOREFT);
    private static final int MAX_SEARCH_STEPS = 5_000;

    /** A candidate's results on the holdout. */
    public record Scored(DeltaConfig config, double accuracy, long parameters, double msPerText) {
        /** One line for logs and the version record: kind, settings and figures. */
        public String describe() {
            return String.format(Locale.ROOT, "%s %.3f, %,d parameters, %.2f ms/text", config.hyperparameters(),
                    accuracy, parameters, msPerText);
        }
    }

    public KindSearch {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("kind auto needs at least one candidate");
        }
        if (searchSteps < candidates.size()) {
            throw new IllegalArgumentException("search_steps must give each of the " + candidates.size()
                    + " candidates at least one step, got " + searchSteps);
        }
        if (!(tolerance >= 0 && tolerance <= 0.1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 0.1], got " + tolerance);
        }
        candidates = List.copyOf(candidates);
    }

    /**
     * The search a domain's hyperparameters describe: {@code candidates} (kinds, default
     * {@code head,ia3,lora,loreft,adapter}), {@code ranks} tried for kinds with a rank (default
     * {@code 4,8}), {@code search_steps} (default 240), {@code tolerance} (default 0.01); every other
     * kind setting at its default. AdapterFusion, which needs sources, cannot be a candidate.
     */
    public static KindSearch parse(Map<String, String> hyperparameters) {
        List<DeltaConfig> candidates = new ArrayList<>();
        List<Integer> ranks = Arrays.stream(hyperparameters.getOrDefault("ranks", "4,8").split(","))
                .map(String::trim).filter(rank -> !rank.isEmpty()).map(rank -> {
                    try {
                        return Integer.parseInt(rank);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("ranks must be integers separated by commas, got '"
                                + hyperparameters.get("ranks") + "'");
                    }
                }).toList();
        for (String key : hyperparameters.getOrDefault("candidates", "head,ia3,lora,loreft,adapter").split(",")) {
            DeltaKind kind = DeltaKind.fromKey(key.trim());
            if (kind == DeltaKind.ADAPTER_FUSION) {
                throw new IllegalArgumentException(
                        "candidates: adapter_fusion cannot be a candidate of kind auto, it needs sources");
            }
            if (RANKED.contains(kind) && ranks.isEmpty()) {
                throw new IllegalArgumentException("ranks must list at least one rank for " + kind.key());
            }
            if (RANKED.contains(kind)) {
                for (int rank : ranks) {
                    candidates.add(DeltaConfigs.parse(Map.of("kind", kind.key(), "r", Integer.toString(rank))));
                }
            } else {
                candidates.add(DeltaConfigs.parse(Map.of("kind", kind.key())));
            }
        }
        int steps = Settings.integer(hyperparameters, "search_steps", 240);
        if (steps > MAX_SEARCH_STEPS) {
            throw new IllegalArgumentException("search_steps must be at most " + MAX_SEARCH_STEPS
                    + " (the search runs on the trainer's worker, between other domains' updates), got " + steps);
        }
        return new KindSearch(candidates.stream().distinct().toList(), steps,
                Settings.number(hyperparameters, "tolerance", 0.01));
    }

    /** Steps each candidate trains for. */
    public int stepsPerCandidate() {
        return searchSteps / candidates.size();
    }

    /** Whether a delta of {@code trained}'s configuration is one this search could have chosen. */
    public boolean accepts(DeltaConfig trained) {
        return candidates.stream().anyMatch(trained::isTrainedAs);
    }

    /** The most accurate; within {@code tolerance} of it, the fewest parameters, then the lowest latency. */
    public Scored choose(List<Scored> scored) {
        double best = scored.stream().mapToDouble(Scored::accuracy).max()
                .orElseThrow(() -> new IllegalArgumentException("Nothing was scored"));
        return scored.stream().filter(candidate -> candidate.accuracy() >= best - tolerance - 1e-12)
                .min(Comparator.comparingLong(Scored::parameters).thenComparingDouble(Scored::msPerText))
                .orElseThrow();
    }

    /** A configuration's settings as a JSON object, as a version records the search's choice. */
    public static String record(DeltaConfig config) {
        return new Gson().toJson(config.hyperparameters());
    }

    /** The candidates' results as a compact JSON array, recorded with every version the choice leads to. */
    public static String record(List<Scored> scored) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Scored candidate : scored) {
            Map<String, Object> row = new LinkedHashMap<>(candidate.config().hyperparameters());
            row.put("accuracy", candidate.accuracy());
            row.put("parameters", candidate.parameters());
            row.put("ms_per_text", candidate.msPerText());
            rows.add(row);
        }
        return new Gson().toJson(rows);
    }
}
