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

    private static final int DEFAULT_MIN_EXAMPLES = 30;
    private static final double DEFAULT_MIN_LABEL_COVERAGE = 0.5;

    /**
     * LoRA r=8 on query and value; auto promotion on holdout accuracy with no margin, on paired
     * evidence of at least 30 examples covering at least half the candidate's labels.
     */
    public static DomainConfig defaults(String domain) {
        return new DomainConfig(domain, "lora", LoraConfig.defaults().hyperparameters(), Promotion.AUTO,
                Promotion.Metric.HOLDOUT_ACCURACY.key(), 0.0, DEFAULT_MIN_EXAMPLES, DEFAULT_MIN_LABEL_COVERAGE,
                "default", Instant.EPOCH);
    }

    /**
     * {@code {kind, hyperparameters, promotion: {policy, metric, margin, minExamples, minLabelCoverage}}};
     * invalid input is a 400.
     */
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
        String metric = promotion.getString("metric", Promotion.Metric.HOLDOUT_ACCURACY.key());
        if (Promotion.Metric.fromKey(metric).isEmpty()) {
            throw new HttpFailure(400, "invalid_config", "promotion.metric must be one of " + Promotion.Metric.keys()
                    + ", got '" + metric + "'");
        }
        double margin = promotion.getDouble("margin", 0.0);
        if (!(margin >= 0 && margin <= 1)) {
            throw new HttpFailure(400, "invalid_config", "promotion.margin must be in [0, 1]");
        }
        int minExamples = promotion.getInteger("minExamples", DEFAULT_MIN_EXAMPLES);
        if (minExamples < 1) {
            throw new HttpFailure(400, "invalid_config", "promotion.minExamples must be at least 1");
        }
        double minLabelCoverage = promotion.getDouble("minLabelCoverage", DEFAULT_MIN_LABEL_COVERAGE);
        if (!(minLabelCoverage >= 0 && minLabelCoverage <= 1)) {
            throw new HttpFailure(400, "invalid_config", "promotion.minLabelCoverage must be in [0, 1]");
        }
        return new DomainConfig(domain, kind, hyperparameters, policy, metric, margin, minExamples, minLabelCoverage,
                actor, Instant.now());
    }

    public static JsonObject toJson(DomainConfig config) {
        return new JsonObject()
                .put("kind", config.getKind())
                .put("hyperparameters", new JsonObject(new LinkedHashMap<String, Object>(config.getHyperparameters())))
                .put("promotion", new JsonObject()
                        .put("policy", config.getPromotionPolicy())
                        .put("metric", config.getPromotionMetric())
                        .put("margin", config.getPromotionMargin())
                        .put("minExamples", config.getPromotionMinExamples())
                        .put("minLabelCoverage", config.getPromotionMinLabelCoverage()))
                .put("updatedBy", config.getUpdatedBy())
                .put("updatedAt", config.getUpdatedAt().toString());
    }
}
