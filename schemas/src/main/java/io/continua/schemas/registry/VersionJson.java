package io.continua.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.schemas.Comparison;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the registry API shows a {@link DeltaVersion} and how its clients read one back: the one mapping between the
 * Avro record and its JSON, used on both sides of the wire, so neither hand-parses the other's maps.
 */
public final class VersionJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Reading a version builds nested records (offset ranges, a comparison) outside any serde.
        AvroSerde.trustContinuaRecords();
    }

    private VersionJson() {
    }

    /** The version as the API shows it, with the aliases that point at it. */
    public static ObjectNode toJson(DeltaVersion version, List<String> aliases) {
        ObjectNode json = JSON.createObjectNode()
                .put("domain", version.getDomain())
                .put("version", version.getVersion())
                .put("kind", version.getKind())
                .put("sha256", version.getSha256())
                .put("sizeBytes", version.getSizeBytes())
                .put("baseModel", version.getBaseModel());
        version.getLabels().forEach(json.putArray("labels")::add);
        json.put("parentVersion", version.getParentVersion());
        version.getHyperparameters().forEach(json.putObject("hyperparameters")::put);
        version.getMetrics().forEach(json.putObject("metrics")::put);
        ranges(json.putArray("trainedOn"), version.getTrainedOn());
        json.put("trainWallMs", version.getTrainWallMs())
                .put("createdBy", version.getCreatedBy())
                .put("createdAt", version.getCreatedAt().toString())
                .put("deleted", version.getDeleted());
        json.set("comparison", comparison(version.getComparison()));
        aliases.forEach(json.putArray("aliases")::add);
        return json;
    }

    /** The record of a version the API showed. */
    public static DeltaVersion fromJson(JsonNode json) {
        List<String> labels = new ArrayList<>();
        json.path("labels").forEach(label -> labels.add(label.asText()));
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        json.path("hyperparameters").fields().forEachRemaining(entry -> hyperparameters.put(entry.getKey(),
                entry.getValue().asText()));
        return DeltaVersion.newBuilder()
                .setDomain(json.path("domain").asText())
                .setVersion(json.path("version").asInt())
                .setKind(json.path("kind").asText())
                .setSha256(json.path("sha256").asText())
                .setSizeBytes(json.path("sizeBytes").asLong())
                .setBaseModel(json.path("baseModel").asText())
                .setLabels(labels)
                .setParentVersion(json.path("parentVersion").isNumber() ? json.path("parentVersion").asInt() : null)
                .setHyperparameters(hyperparameters)
                .setMetrics(metrics(json.path("metrics")))
                .setTrainedOn(ranges(json.path("trainedOn")))
                .setTrainWallMs(json.path("trainWallMs").isNumber() ? json.path("trainWallMs").asLong() : null)
                .setCreatedBy(json.path("createdBy").asText())
                .setCreatedAt(Instant.parse(json.path("createdAt").asText()))
                .setDeleted(json.path("deleted").asBoolean())
                .setComparison(json.path("comparison").isObject() ? comparison(json.path("comparison")) : null)
                .build();
    }

    static void ranges(ArrayNode json, List<OffsetRange> ranges) {
        ranges.forEach(range -> json.addObject().put("topic", range.getTopic()).put("partition", range.getPartition())
                .put("fromOffset", range.getFromOffset()).put("untilOffset", range.getUntilOffset()));
    }

    static ObjectNode comparison(Comparison comparison) {
        if (comparison == null) {
            return null;
        }
        ObjectNode json = JSON.createObjectNode().put("version", comparison.getVersion())
                .put("examples", comparison.getExamples()).put("labelsCovered", comparison.getLabelsCovered());
        comparison.getMetrics().forEach(json.putObject("metrics")::put);
        return json;
    }

    private static List<OffsetRange> ranges(JsonNode json) {
        List<OffsetRange> ranges = new ArrayList<>();
        json.forEach(range -> ranges.add(new OffsetRange(range.path("topic").asText(), range.path("partition").asInt(),
                range.path("fromOffset").asLong(), range.path("untilOffset").asLong())));
        return ranges;
    }

    private static Comparison comparison(JsonNode json) {
        return new Comparison(json.path("version").asInt(), json.path("examples").asInt(),
                json.path("labelsCovered").asInt(), metrics(json.path("metrics")));
    }

    private static Map<String, Double> metrics(JsonNode json) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        json.fields().forEachRemaining(entry -> metrics.put(entry.getKey(), entry.getValue().asDouble()));
        return metrics;
    }
}
