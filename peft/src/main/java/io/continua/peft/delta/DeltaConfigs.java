package io.continua.peft.delta;

import io.continua.peft.encoder.Projection;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a {@link DeltaConfig} back from its flat hyperparameters, with defaults for what is missing. */
public final class DeltaConfigs {
    private DeltaConfigs() {
    }

    /** The settings each kind reads (besides {@code kind}); anything else in a configuration is not the kind's. */
    public static Set<String> settings(DeltaKind kind) {
        return switch (kind) {
            case HEAD -> Set.of();
            case ADAPTER -> Set.of("placement", "reduction_factor");
            case LORA -> Set.of("r", "alpha", "dropout", "targets", "layers");
            case IA3 -> Set.of("targets");
        };
    }

    public static DeltaConfig parse(Map<String, String> hyperparameters) {
        DeltaKind kind = DeltaKind.fromKey(hyperparameters.getOrDefault("kind", DeltaKind.LORA.key()));
        try {
            return switch (kind) {
                case HEAD -> new HeadConfig();
                case ADAPTER -> new AdapterConfig(
                        AdapterConfig.Placement.fromKey(hyperparameters.getOrDefault("placement", "pfeiffer")),
                        Settings.integer(hyperparameters, "reduction_factor", 16));
                case LORA -> new LoraConfig(
                        Settings.integer(hyperparameters, "r", 8),
                        Settings.number(hyperparameters, "alpha", 16),
                        Settings.number(hyperparameters, "dropout", 0.0),
                        targets(hyperparameters.getOrDefault("targets", "query,value")),
                        layers(hyperparameters.getOrDefault("layers", "all")));
                case IA3 -> new Ia3Config(targets(hyperparameters.getOrDefault("targets", "key,value,output")));
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid " + kind.key() + " configuration " + hyperparameters + ": "
                    + e.getMessage(), e);
        }
    }

    private static Set<Projection> targets(String list) {
        Set<Projection> targets = new LinkedHashSet<>();
        for (String target : list.split(",")) {
            if (!target.isBlank()) {
                targets.add(Projection.fromKey(target.trim()));
            }
        }
        return targets;
    }

    private static List<Integer> layers(String list) {
        if (list.isBlank() || list.equals("all")) {
            return List.of();
        }
        try {
            return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("layers must be 'all' or layer numbers separated by commas, got '"
                    + list + "'");
        }
    }
}
