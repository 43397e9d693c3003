package io.continua.registry;

import io.continua.schemas.Comparison;
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
 * the offsets it was trained on, its metrics, training hyperparameters and wall time, and the
 * paired comparison with another version on the same examples (what auto promotion needs). Every
 * field is optional.
 */
public record UploadMetadata(String sha256, Integer parentVersion, List<OffsetRange> trainedOn,
                             Map<String, Double> metrics, Map<String, String> hyperparameters, Long trainWallMs,
                             Comparison comparison) {
    public static UploadMetadata empty() {
        return new UploadMetadata(null, null, List.of(), Map.of(), Map.of(), null, null);
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
            Map<String, Double> metrics = metrics(object.getJsonObject("metrics", new JsonObject()));
            Map<String, String> hyperparameters = new LinkedHashMap<>();
            object.getJsonObject("hyperparameters", new JsonObject()).forEach(entry ->
                    hyperparameters.put(entry.getKey(), String.valueOf(entry.getValue())));
            return new UploadMetadata(object.getString("sha256"), object.getInteger("parentVersion"), ranges, metrics,
                    hyperparameters, object.getLong("trainWallMs"), comparison(object.getJsonObject("comparison")));
        } catch (RuntimeException e) {
            throw new HttpFailure(400, "bad_metadata", "The metadata part is not valid: " + e.getMessage());
        }
    }

    private static Map<String, Double> metrics(JsonObject object) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        object.forEach(entry -> metrics.put(entry.getKey(), ((Number) entry.getValue()).doubleValue()));
        return metrics;
    }

    /** {@code {version, examples, labelsCovered, metrics}}: the compared version's scores on the same examples. */
    private static Comparison comparison(JsonObject object) {
        if (object == null) {
            return null;
        }
        int examples = require(object.getInteger("examples"), "comparison.examples");
        int labels = require(object.getInteger("labelsCovered"), "comparison.labelsCovered");
        if (examples < 0 || labels < 0 || labels > examples) {
            throw new IllegalArgumentException("comparison " + object.encode() + " has impossible counts");
        }
        return new Comparison(require(object.getInteger("version"), "comparison.version"), examples, labels,
                metrics(object.getJsonObject("metrics", new JsonObject())));
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing " + field);
        }
        return value;
    }
}
