package io.continua.registry;

import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.LoraConfig;
import io.continua.schemas.DomainConfig;
import io.continua.service.HttpFailure;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A domain's configuration as JSON, its validation, and the defaults of a domain never configured. */
public final class DomainConfigs {
    private DomainConfigs() {
    }

    /** LoRA r=8 on query and value, auto promotion on holdout accuracy with no margin. */
    public static DomainConfig defaults(String domain) {
        return new DomainConfig(domain, "lora", LoraConfig.defaults().hyperparameters(), Promotion.AUTO,
                "holdout_accuracy", 0.0, "default", Instant.EPOCH);
    }

    /** {@code {kind, hyperparameters, promotion: {policy, metric, margin}}}; invalid input is a 400. */
    public static DomainConfig parse(String domain, JsonObject body, String actor) {
        String kind = body.getString("kind", "lora");
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        body.getJsonObject("hyperparameters", new JsonObject())
                .forEach(entry -> hyperparameters.put(entry.getKey(), String.valueOf(entry.getValue())));
        Map<String, String> withKind = new LinkedHashMap<>(hyperparameters);
        withKind.put("kind", kind);
        try {
            DeltaConfigs.parse(withKind);
        } catch (IllegalArgumentException e) {
            throw new HttpFailure(400, "invalid_config", e.getMessage());
        }
        JsonObject promotion = body.getJsonObject("promotion", new JsonObject());
        String policy = promotion.getString("policy", Promotion.AUTO);
        if (!policy.equals(Promotion.AUTO) && !policy.equals(Promotion.MANUAL)) {
            throw new HttpFailure(400, "invalid_config", "promotion.policy must be auto or manual, got '" + policy + "'");
        }
        double margin = promotion.getDouble("margin", 0.0);
        if (!(margin >= 0 && margin <= 1)) {
            throw new HttpFailure(400, "invalid_config", "promotion.margin must be in [0, 1]");
        }
        return new DomainConfig(domain, kind, hyperparameters, policy,
                promotion.getString("metric", "holdout_accuracy"), margin, actor, Instant.now());
    }

    public static JsonObject toJson(DomainConfig config) {
        return new JsonObject()
                .put("kind", config.getKind())
                .put("hyperparameters", new JsonObject(new LinkedHashMap<String, Object>(config.getHyperparameters())))
                .put("promotion", new JsonObject()
                        .put("policy", config.getPromotionPolicy())
                        .put("metric", config.getPromotionMetric())
                        .put("margin", config.getPromotionMargin()))
                .put("updatedBy", config.getUpdatedBy())
                .put("updatedAt", config.getUpdatedAt().toString());
    }
}
