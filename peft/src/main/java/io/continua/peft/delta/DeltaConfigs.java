package io.continua.peft.delta;

import io.continua.peft.encoder.Projection;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a {@link DeltaConfig} back from its flat hyperparameters, with defaults for what is missing. */
public final class DeltaConfigs {
    private static final Pattern POSITIONS = Pattern.compile("(?:f(\\d{1,3}))?\\+?(?:l(\\d{1,3}))?");

    private DeltaConfigs() {
    }

    /** The settings each kind reads (besides {@code kind}); anything else in a configuration is not the kind's. */
    public static Set<String> settings(DeltaKind kind) {
        return switch (kind) {
            case HEAD -> Set.of();
            case ADAPTER -> Set.of("placement", "reduction_factor");
            case LORA -> Set.of("r", "alpha", "dropout", "targets", "layers");
            case IA3 -> Set.of("targets");
            case LOREFT -> Set.of("r", "layers", "positions");
            case PROMPT_TUNING, PREFIX_TUNING -> Set.of("virtual_tokens");
            case LLAMA_ADAPTER -> Set.of("adapter_len", "adapter_layers");
            // The sources' placement and reduction factor come from the sources, not from the domain's configuration.
            case ADAPTER_FUSION -> Set.of("sources", "r");
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
                case LOREFT -> loreft(Settings.integer(hyperparameters, "r", 4),
                        layers(hyperparameters.getOrDefault("layers", "all")),
                        hyperparameters.getOrDefault("positions", "all"));
                case PROMPT_TUNING -> new PromptTuningConfig(Settings.integer(hyperparameters, "virtual_tokens", 20));
                case PREFIX_TUNING -> new PrefixTuningConfig(Settings.integer(hyperparameters, "virtual_tokens", 20));
                case LLAMA_ADAPTER -> new LlamaAdapterConfig(Settings.integer(hyperparameters, "adapter_len", 10),
                        topLayers(hyperparameters));
                case ADAPTER_FUSION -> new AdapterFusionConfig(
                        Arrays.stream(hyperparameters.getOrDefault("sources", "").split(","))
                                .filter(source -> !source.isBlank()).map(AdapterFusionConfig.Source::parse).toList(),
                        AdapterConfig.Placement.fromKey(hyperparameters.getOrDefault("placement", "pfeiffer")),
                        Settings.integer(hyperparameters, "reduction_factor", 16),
                        Settings.integer(hyperparameters, "r", 16));
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid " + kind.key() + " configuration " + hyperparameters + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@code all} (0), or a count of top layers from 1. */
    private static int topLayers(Map<String, String> hyperparameters) {
        if (hyperparameters.getOrDefault("adapter_layers", "all").equals("all")) {
            return 0;
        }
        int layers = Settings.integer(hyperparameters, "adapter_layers", 0);
        if (layers < 1) {
            throw new IllegalArgumentException("adapter_layers must be 'all' or a count from 1, got " + layers);
        }
        return layers;
    }

    /** pyreft's position notation: {@code all}, {@code f<n>}, {@code l<n>} or {@code f<n>+l<m>}. */
    private static LoreftConfig loreft(int rank, List<Integer> layers, String positions) {
        if (positions.equals("all")) {
            return new LoreftConfig(rank, layers, 0, 0);
        }
        Matcher matcher = POSITIONS.matcher(positions);
        if (!matcher.matches() || matcher.group(1) == null && matcher.group(2) == null) {
            throw new IllegalArgumentException("positions must be 'all', 'f<n>', 'l<n>' or 'f<n>+l<m>', got '"
                    + positions + "'");
        }
        return new LoreftConfig(rank, layers, matcher.group(1) == null ? 0 : Integer.parseInt(matcher.group(1)),
                matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2)));
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
