package io.continua.registry.http;

import io.continua.registry.live.LiveAccuracy;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.registry.VersionJson;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** How versions and alias pointers look in the API. */
final class JsonViews {
    private JsonViews() {
    }

    static JsonObject version(DeltaVersion version, List<String> aliases) {
        return new JsonObject(VersionJson.toJson(version, aliases).toString());
    }

    /** A version's live accuracy: labels joined, correct, accuracy and its confidence interval. */
    static JsonObject live(LiveAccuracy.Score score) {
        return new JsonObject().put("count", score.count()).put("correct", score.correct())
                .put("accuracy", score.accuracy()).put("low", score.low()).put("high", score.high())
                .put("lastWindowEnd", score.last().toString());
    }

    static JsonObject alias(AliasPointer pointer) {
        return new JsonObject()
                .put("domain", pointer.getDomain())
                .put("alias", pointer.getAlias())
                .put("version", pointer.getVersion())
                .put("previousVersion", pointer.getPreviousVersion())
                .put("reason", pointer.getReason())
                .put("actor", pointer.getActor())
                .put("held", pointer.getHeld())
                .put("movedAt", pointer.getMovedAt().toString());
    }
}
