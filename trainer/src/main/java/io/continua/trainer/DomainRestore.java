package io.continua.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaConfigs;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.registry.RegistryClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the registry knows of a domain when a trainer takes it over: its configuration, the version
 * to resume from (weights and optimizer state: the one production is held at, else the latest live
 * version trainers made) and how far their
 * versions reach into each partition of the accepted topic (to resume from the lineage, training
 * nothing twice). Only versions uploaded under the trainer's own token count: a version an operator
 * uploaded by hand, whatever lineage it claims, neither moves the resume point nor is resumed from.
 */
record DomainRestore(DeltaConfig deltaConfig, Map<String, String> hyperparameters, Optional<Integer> latestVersion,
                     Optional<LoadedArtifact> latest, Map<Integer, Long> registeredUntil,
                     Optional<Integer> heldProduction) {
    private static final String PRODUCTION = "production";

    /**
     * A domain's delta configuration and hyperparameters as the registry holds them now, and the version an operator
     * holds production at, if any.
     */
    record Settings(DeltaConfig deltaConfig, Map<String, String> hyperparameters, Optional<Integer> heldProduction) {
        static Settings of(Optional<JsonNode> info) {
            Map<String, String> hyperparameters = new HashMap<>();
            String kind = "lora";
            if (info.isPresent()) {
                JsonNode config = info.get().path("config");
                kind = config.path("kind").asText("lora");
                config.path("hyperparameters").fields()
                        .forEachRemaining(entry -> hyperparameters.put(entry.getKey(), entry.getValue().asText()));
            }
            Map<String, String> deltaSettings = new HashMap<>(hyperparameters);
            deltaSettings.put("kind", kind);
            JsonNode held = info.map(node -> node.path("held").path(PRODUCTION)).orElse(null);
            return new Settings(DeltaConfigs.parse(deltaSettings), Map.copyOf(hyperparameters),
                    held != null && held.isInt() ? Optional.of(held.asInt()) : Optional.empty());
        }
    }

    static DomainRestore fetch(RegistryClient registry, String domain, String acceptedTopic, DomainModel model) {
        Optional<JsonNode> info = registry.domain(domain);
        Settings settings = Settings.of(info);
        DeltaConfig deltaConfig = settings.deltaConfig();
        Map<String, String> hyperparameters = settings.hyperparameters();

        Map<Integer, Long> registeredUntil = new HashMap<>();
        Optional<Integer> latestLive = Optional.empty();
        if (info.isPresent()) {
            String trainer = registry.whoami().path("name").asText();
            for (DeltaVersion version : registry.versionRecords(domain)) {
                if (!version.getCreatedBy().equals(trainer)) {
                    continue;
                }
                for (OffsetRange range : version.getTrainedOn()) {
                    if (range.getTopic().equals(acceptedTopic)) {
                        registeredUntil.merge(range.getPartition(), range.getUntilOffset(), Math::max);
                    }
                }
                if (!version.getDeleted()) {
                    latestLive = Optional.of(version.getVersion());
                }
            }
        }
        // Production held by an operator is where training continues ("retrain from here"), whoever made it.
        Optional<Integer> resumeFrom = settings.heldProduction().isPresent() ? settings.heldProduction() : latestLive;
        Optional<LoadedArtifact> latest = resumeFrom.map(version -> model.reader()
                .read(registry.artifact(domain, version)));
        return new DomainRestore(deltaConfig, hyperparameters, resumeFrom, latest, registeredUntil,
                settings.heldProduction());
    }
}
