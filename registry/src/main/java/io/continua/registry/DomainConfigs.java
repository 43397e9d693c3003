package io.continua.registry;

import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.training.TrainingConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.schemas.DomainConfig;
import io.continua.service.HttpFailure;
import io.continua.service.JsonFields;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
     * {@code {kind, hyperparameters, promotion: {policy, metric, margin, minExamples, minLabelCoverage}}}:
     * a field of the wrong JSON type or out of range is a 400, a setting that is not valid for the
     * domain (unknown kind, metric or setting, a value its kind or training refuses) a 422.
     */
    public static DomainConfig parse(String domain, JsonObject body, String actor) {
        JsonFields fields = JsonFields.of(body, "invalid_config");
        String kind = fields.string("kind").orElse("lora");
        JsonFields settings = fields.object("hyperparameters");
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        for (String name : settings.names()) {
            settings.scalar(name).ifPresent(value -> hyperparameters.put(name, value));
        }
        validate(kind, hyperparameters);
        JsonFields promotion = fields.object("promotion");
        String policy = promotion.string("policy").orElse(Promotion.AUTO);
        if (!policy.equals(Promotion.AUTO) && !policy.equals(Promotion.MANUAL)) {
            throw new HttpFailure(422, "invalid_config", "promotion.policy must be auto or manual, got '" + policy + "'");
        }
        String metric = promotion.string("metric").orElse(Promotion.Metric.HOLDOUT_ACCURACY.key());
        if (Promotion.Metric.fromKey(metric).isEmpty()) {
            throw new HttpFailure(422, "invalid_config", "promotion.metric must be one of " + Promotion.Metric.keys()
                    + ", got '" + metric + "'");
        }
        double margin = promotion.number("margin", 0, 1).orElse(0.0);
        int minExamples = promotion.integer("minExamples", 1, Integer.MAX_VALUE).orElse(DEFAULT_MIN_EXAMPLES);
        double minLabelCoverage = promotion.number("minLabelCoverage", 0, 1).orElse(DEFAULT_MIN_LABEL_COVERAGE);
        return new DomainConfig(domain, kind, hyperparameters, policy, metric, margin, minExamples, minLabelCoverage,
                actor, Instant.now());
    }

    /**
     * Every setting checked when it is set, not when a trainer first reads it: the kind exists, each
     * setting belongs to the kind or to training, and each value is of its type and in its range
     * (finite numbers only). A bad one is a 422 that names it.
     */
    private static void validate(String kind, Map<String, String> hyperparameters) {
        try {
            DeltaKind deltaKind = DeltaKind.fromKey(kind);
            Set<String> known = new TreeSet<>(DeltaConfigs.settings(deltaKind));
            known.addAll(TrainingConfig.SETTINGS);
            for (String name : hyperparameters.keySet()) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("hyperparameters." + name + " is not a setting of " + kind
                            + " deltas; they take " + known);
                }
            }
            Map<String, String> withKind = new LinkedHashMap<>(hyperparameters);
            withKind.put("kind", kind);
            DeltaConfigs.parse(withKind);
            TrainingConfig.defaults().withSettings(hyperparameters);
        } catch (IllegalArgumentException e) {
            throw new HttpFailure(422, "invalid_config", e.getMessage());
        }
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
