package io.continua.registry;

import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.LoraConfig;
import io.continua.schemas.DomainConfig;
import io.continua.service.HttpFailure;
import io.continua.service.JsonFields;
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
        JsonFields fields = JsonFields.of(body, "invalid_config");
        String kind = fields.string("kind").orElse("lora");
        JsonFields settings = fields.object("hyperparameters");
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        for (String name : settings.names()) {
            settings.scalar(name).ifPresent(value -> hyperparameters.put(name, value));
        }
        Map<String, String> withKind = new LinkedHashMap<>(hyperparameters);
        withKind.put("kind", kind);
        try {
            DeltaConfigs.parse(withKind);
        } catch (IllegalArgumentException e) {
            throw new HttpFailure(400, "invalid_config", e.getMessage());
        }
        JsonFields promotion = fields.object("promotion");
        String policy = promotion.string("policy").orElse(Promotion.AUTO);
        if (!policy.equals(Promotion.AUTO) && !policy.equals(Promotion.MANUAL)) {
            throw promotion.invalid("policy", "must be auto or manual, got '" + policy + "'");
        }
        String metric = promotion.string("metric").orElse(Promotion.Metric.HOLDOUT_ACCURACY.key());
        if (Promotion.Metric.fromKey(metric).isEmpty()) {
            throw promotion.invalid("metric", "must be one of " + Promotion.Metric.keys() + ", got '" + metric + "'");
        }
        double margin = promotion.number("margin", 0, 1).orElse(0.0);
        int minExamples = promotion.integer("minExamples", 1, Integer.MAX_VALUE).orElse(DEFAULT_MIN_EXAMPLES);
        double minLabelCoverage = promotion.number("minLabelCoverage", 0, 1).orElse(DEFAULT_MIN_LABEL_COVERAGE);
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
