package io.continua.registry.http;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.Comparison;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;

/** How versions and alias pointers look in the API. */
final class JsonViews {
    private JsonViews() {
    }

    static JsonObject version(DeltaVersion version, List<String> aliases) {
        JsonArray trainedOn = new JsonArray();
        for (OffsetRange range : version.getTrainedOn()) {
            trainedOn.add(new JsonObject().put("topic", range.getTopic()).put("partition", range.getPartition())
                    .put("fromOffset", range.getFromOffset()).put("untilOffset", range.getUntilOffset()));
        }
        return new JsonObject()
                .put("domain", version.getDomain())
                .put("version", version.getVersion())
                .put("kind", version.getKind())
                .put("sha256", version.getSha256())
                .put("sizeBytes", version.getSizeBytes())
                .put("baseModel", version.getBaseModel())
                .put("labels", new JsonArray(List.copyOf(version.getLabels())))
                .put("parentVersion", version.getParentVersion())
                .put("hyperparameters", new JsonObject(new LinkedHashMap<String, Object>(version.getHyperparameters())))
                .put("metrics", new JsonObject(new LinkedHashMap<String, Object>(version.getMetrics())))
                .put("trainedOn", trainedOn)
                .put("trainWallMs", version.getTrainWallMs())
                .put("createdBy", version.getCreatedBy())
                .put("createdAt", version.getCreatedAt().toString())
                .put("deleted", version.getDeleted())
                .put("comparison", comparison(version.getComparison()))
                .put("aliases", new JsonArray(aliases));
    }

    private static JsonObject comparison(Comparison comparison) {
        return comparison == null ? null : new JsonObject()
                .put("version", comparison.getVersion())
                .put("examples", comparison.getExamples())
                .put("labelsCovered", comparison.getLabelsCovered())
                .put("metrics", new JsonObject(new LinkedHashMap<String, Object>(comparison.getMetrics())));
    }

    static JsonObject alias(AliasPointer pointer) {
        return new JsonObject()
                .put("domain", pointer.getDomain())
                .put("alias", pointer.getAlias())
                .put("version", pointer.getVersion())
                .put("previousVersion", pointer.getPreviousVersion())
                .put("reason", pointer.getReason())
                .put("actor", pointer.getActor())
                .put("movedAt", pointer.getMovedAt().toString());
    }
}
