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

    public static DeltaConfig parse(Map<String, String> hyperparameters) {
        DeltaKind kind = DeltaKind.fromKey(hyperparameters.getOrDefault("kind", DeltaKind.LORA.key()));
        try {
            return switch (kind) {
                case HEAD -> new HeadConfig();
                case ADAPTER -> new AdapterConfig(
                        AdapterConfig.Placement.fromKey(hyperparameters.getOrDefault("placement", "pfeiffer")),
                        Integer.parseInt(hyperparameters.getOrDefault("reduction_factor", "16")));
                case LORA -> new LoraConfig(
                        Integer.parseInt(hyperparameters.getOrDefault("r", "8")),
                        Double.parseDouble(hyperparameters.getOrDefault("alpha", "16")),
                        Double.parseDouble(hyperparameters.getOrDefault("dropout", "0.0")),
                        targets(hyperparameters.getOrDefault("targets", "query,value")),
                        layers(hyperparameters.getOrDefault("layers", "all")));
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
        return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
