package io.continua.registry;

import io.continua.schemas.OffsetRange;
import io.continua.service.HttpFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an uploader says about a version beside its artifact: the declared checksum, its parent,
 * the offsets it was trained on, its metrics, training hyperparameters and wall time. Every field
 * is optional.
 */
public record UploadMetadata(String sha256, Integer parentVersion, List<OffsetRange> trainedOn,
                             Map<String, Double> metrics, Map<String, String> hyperparameters, Long trainWallMs) {
    public static UploadMetadata empty() {
        return new UploadMetadata(null, null, List.of(), Map.of(), Map.of(), null);
    }

    /** Parses the {@code metadata} part of an upload; a malformed one is a 400. */
    public static UploadMetadata parse(String json) {
        if (json == null || json.isBlank()) {
            return empty();
        }
        try {
            JsonObject object = new JsonObject(json);
            List<OffsetRange> ranges = new ArrayList<>();
            JsonArray trained = object.getJsonArray("trainedOn", new JsonArray());
            for (int i = 0; i < trained.size(); i++) {
                JsonObject range = trained.getJsonObject(i);
                long from = range.getLong("fromOffset");
                long until = range.getLong("untilOffset");
                if (from < 0 || until < from) {
                    throw new IllegalArgumentException("offset range " + range.encode() + " is not [from, until)");
                }
                ranges.add(new OffsetRange(require(range.getString("topic"), "topic"),
                        range.getInteger("partition"), from, until));
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            object.getJsonObject("metrics", new JsonObject()).forEach(entry ->
                    metrics.put(entry.getKey(), ((Number) entry.getValue()).doubleValue()));
            Map<String, String> hyperparameters = new LinkedHashMap<>();
            object.getJsonObject("hyperparameters", new JsonObject()).forEach(entry ->
                    hyperparameters.put(entry.getKey(), String.valueOf(entry.getValue())));
            return new UploadMetadata(object.getString("sha256"), object.getInteger("parentVersion"), ranges, metrics,
                    hyperparameters, object.getLong("trainWallMs"));
        } catch (RuntimeException e) {
            throw new HttpFailure(400, "bad_metadata", "The metadata part is not valid: " + e.getMessage());
        }
    }

    private static String require(String value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing " + field);
        }
        return value;
    }
}
