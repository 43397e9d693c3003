package io.continua.schemas.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.schemas.Comparison;
import io.continua.schemas.OffsetRange;
import java.util.List;
import java.util.Map;

/**
 * What an uploader says about a version beside its artifact: the declared checksum, its parent, the offsets it was
 * trained on, its metrics, training hyperparameters and wall time, and the paired comparison with another version
 * on the same examples (what auto promotion needs). Every field is optional. Clients send it with {@link #toJson};
 * the registry reads it back with its own validation.
 */
public record UploadMetadata(String sha256, Integer parentVersion, List<OffsetRange> trainedOn,
                             Map<String, Double> metrics, Map<String, String> hyperparameters, Long trainWallMs,
                             Comparison comparison) {
    public UploadMetadata {
        trainedOn = List.copyOf(trainedOn);
        metrics = Map.copyOf(metrics);
        hyperparameters = Map.copyOf(hyperparameters);
    }

    public static UploadMetadata empty() {
        return new UploadMetadata(null, null, List.of(), Map.of(), Map.of(), null, null);
    }

    /** The {@code metadata} part of an upload. */
    public ObjectNode toJson() {
        ObjectNode json = RegistryClient.object();
        if (sha256 != null) {
            json.put("sha256", sha256);
        }
        if (parentVersion != null) {
            json.put("parentVersion", parentVersion);
        }
        VersionJson.ranges(json.putArray("trainedOn"), trainedOn);
        metrics.forEach(json.putObject("metrics")::put);
        hyperparameters.forEach(json.putObject("hyperparameters")::put);
        if (trainWallMs != null) {
            json.put("trainWallMs", trainWallMs);
        }
        if (comparison != null) {
            json.set("comparison", VersionJson.comparison(comparison));
        }
        return json;
    }
}
