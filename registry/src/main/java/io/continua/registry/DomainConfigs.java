package io.continua.registry;

import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.delta.KindSearch;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.training.TrainingConfig;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.registry.RolloutMode;
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

    /**
     * LoRA r=8 on query and value; auto promotion on holdout accuracy with no margin, on paired
     * evidence of at least 30 examples covering at least half the candidate's labels (the schema's
     * defaults).
     */
    public static DomainConfig defaults(String domain) {
        return DomainConfig.newBuilder().setDomain(domain).setKind("lora")
                .setHyperparameters(LoraConfig.defaults().hyperparameters()).setUpdatedBy("default")
                .setUpdatedAt(Instant.EPOCH).build();
    }

    /**
     * {@code {kind, hyperparameters, promotion: {policy, metric, margin, minExamples, minLabelCoverage},
     * rollout: {mode, policy, canaryShare, margin, confidence, minLabels}}}:
     * a field of the wrong JSON type or out of range is a 400, a setting that is not valid for the
     * domain (unknown kind, metric or setting, a value its kind or training refuses) a 422.
     */
    public static DomainConfig parse(String domain, JsonObject body, String actor) {
        JsonFields fields = JsonFields.of(body, "invalid_config");
        String kind = fields.string("kind").orElse("lora");
        Map<String, String> hyperparameters = fields.object("hyperparameters").scalars();
        validate(kind, hyperparameters);
        DomainConfig.Builder config = DomainConfig.newBuilder().setDomain(domain).setKind(kind)
                .setHyperparameters(hyperparameters).setUpdatedBy(actor).setUpdatedAt(Instant.now());
        // What the body leaves out keeps the schema's default.
        JsonFields promotion = fields.object("promotion");
        promotion.string("policy").map(policy -> policy("promotion.policy", policy))
                .ifPresent(config::setPromotionPolicy);
        promotion.string("metric").ifPresent(metric -> {
            if (Promotion.Metric.fromKey(metric).isEmpty()) {
                throw ServiceException.unprocessable("invalid_config", "promotion.metric must be one of "
                        + Promotion.Metric.keys() + ", got '" + metric + "'");
            }
            config.setPromotionMetric(metric);
        });
        promotion.number("margin", 0, 1).ifPresent(config::setPromotionMargin);
        promotion.integer("minExamples", 1, Integer.MAX_VALUE).ifPresent(config::setPromotionMinExamples);
        promotion.number("minLabelCoverage", 0, 1).ifPresent(config::setPromotionMinLabelCoverage);
        JsonFields rollout = fields.object("rollout");
        rollout.string("mode").ifPresent(mode -> config.setRolloutMode(RolloutMode.parse(mode)
                .orElseThrow(() -> ServiceException.unprocessable("invalid_config", "rollout.mode must be none, "
                        + "shadow or canary, got '" + mode + "'")).key()));
        rollout.string("policy").map(policy -> policy("rollout.policy", policy)).ifPresent(config::setRolloutPolicy);
        rollout.number("canaryShare", 0, 1).ifPresent(config::setCanaryShare);
        rollout.number("margin", 0, 1).ifPresent(config::setRolloutMargin);
        rollout.number("confidence", 0.5, 0.9999).ifPresent(config::setRolloutConfidence);
        rollout.integer("minLabels", 1, Integer.MAX_VALUE).ifPresent(config::setRolloutMinLabels);
        return config.build();
    }

    /** A policy named in {@code field}: auto or manual, else a 422. */
    private static String policy(String field, String policy) {
        if (!policy.equals(Promotion.AUTO) && !policy.equals(Promotion.MANUAL)) {
            throw ServiceException.unprocessable("invalid_config", field + " must be auto or manual, got '" + policy
                    + "'");
        }
        return policy;
    }

    /**
     * Every setting checked when it is set, not when a trainer first reads it: the kind exists, each
     * setting belongs to the kind or to training, and each value is of its type and in its range
     * (finite numbers only). A bad one is a 422 that names it.
     */
    private static void validate(String kind, Map<String, String> hyperparameters) {
        try {
            boolean auto = kind.equals(KindSearch.AUTO);
            Set<String> known = new TreeSet<>(auto ? KindSearch.SETTINGS
                    : DeltaConfigs.settings(DeltaKind.fromKey(kind)));
            known.addAll(TrainingConfig.SETTINGS);
            for (String name : hyperparameters.keySet()) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("hyperparameters." + name + " is not a setting of " + kind
                            + " deltas; they take " + known);
                }
            }
            if (auto) {
                KindSearch.parse(hyperparameters);
            } else {
                Map<String, String> withKind = new LinkedHashMap<>(hyperparameters);
                withKind.put("kind", kind);
                DeltaConfigs.parse(withKind);
            }
            TrainingConfig.defaults().withSettings(hyperparameters);
        } catch (IllegalArgumentException e) {
            throw ServiceException.unprocessable("invalid_config", e.getMessage());
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
                .put("rollout", new JsonObject()
                        .put("mode", config.getRolloutMode())
                        .put("policy", config.getRolloutPolicy())
                        .put("canaryShare", config.getCanaryShare())
                        .put("margin", config.getRolloutMargin())
                        .put("confidence", config.getRolloutConfidence())
                        .put("minLabels", config.getRolloutMinLabels()))
                .put("updatedBy", config.getUpdatedBy())
                .put("updatedAt", config.getUpdatedAt().toString());
    }
}
