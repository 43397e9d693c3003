package io.continua.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.peft.artifact.InvalidArtifactException;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.registry.RegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry knows of a domain when a trainer takes it over: its configuration, the version
 * to resume from (weights and optimizer state) and how far the trainers' versions reach into each
 * partition of the accepted topic (to resume from the lineage, training nothing twice). The version
 * resumed from is the latest live one trainers made, unless an operator holds production: then the
 * newest trainer version descending from the held one, else the held version itself (an operator's
 * explicit choice, whoever made it). Otherwise only versions uploaded under the trainer's own token
 * count: a version an operator uploaded by hand neither moves the resume point nor is resumed from.
 *
 * @param resumedFromNewest whether the version resumed from is the newest the trainers made: if so it
 *                          learned every example the lineage registered
 * @param searchRecord      the kind search the version resumed from records ({@code auto_choice},
 *                          {@code auto_candidates}), carried on to the versions after it; empty if none
 */
record DomainRestore(Configured configured, Map<String, String> hyperparameters, Optional<Integer> latestVersion,
                     Optional<LoadedArtifact> latest, Map<Integer, Long> registeredUntil,
                     Optional<Integer> heldProduction, boolean resumedFromNewest, Map<String, String> searchRecord) {
    private static final Logger log = LoggerFactory.getLogger(DomainRestore.class);
    static final String PRODUCTION = "production";
    /** What a version made by a kind search records of it. */
    private static final Set<String> SEARCH_RECORD = Set.of("auto_choice", "auto_candidates");

    /**
     * A domain's delta configuration and hyperparameters as the registry holds them now, and the version an operator
     * holds production at, if any.
     */
    record Settings(Configured configured, Map<String, String> hyperparameters, Optional<Integer> heldProduction) {
        static Settings of(Optional<JsonNode> info) {
            Map<String, String> hyperparameters = new HashMap<>();
            String kind = "lora";
            if (info.isPresent()) {
                JsonNode config = info.get().path("config");
                kind = config.path("kind").asText("lora");
                config.path("hyperparameters").fields()
                        .forEachRemaining(entry -> hyperparameters.put(entry.getKey(), entry.getValue().asText()));
            }
            JsonNode held = info.map(node -> node.path("held").path(PRODUCTION)).orElse(null);
            return new Settings(Configured.of(kind, hyperparameters), Map.copyOf(hyperparameters),
                    held != null && held.isInt() ? Optional.of(held.asInt()) : Optional.empty());
        }
    }

    static DomainRestore fetch(RegistryClient registry, String domain, String acceptedTopic, DomainModel model) {
        Optional<JsonNode> info = registry.domain(domain);
        Settings settings = Settings.of(info);
        Configured configured = settings.configured();
        Map<String, String> hyperparameters = settings.hyperparameters();

        Map<Integer, Long> registeredUntil = new HashMap<>();
        Map<Integer, Integer> parents = new HashMap<>();
        Map<Integer, Map<String, String>> searchRecords = new HashMap<>();
        List<Integer> ownLive = new ArrayList<>();
        if (info.isPresent()) {
            String trainer = registry.whoami().path("name").asText();
            for (DeltaVersion version : registry.versionRecords(domain)) {
                Map<String, String> record = new HashMap<>(version.getHyperparameters());
                record.keySet().retainAll(SEARCH_RECORD);
                searchRecords.put(version.getVersion(), Map.copyOf(record));
                if (version.getParentVersion() != null) {
                    parents.put(version.getVersion(), version.getParentVersion());
                }
                if (!version.getCreatedBy().equals(trainer)) {
                    continue;
                }
                for (OffsetRange range : version.getTrainedOn()) {
                    if (range.getTopic().equals(acceptedTopic)) {
                        registeredUntil.merge(range.getPartition(), range.getUntilOffset(), Math::max);
                    }
                }
                if (!version.getDeleted()) {
                    ownLive.add(version.getVersion());
                }
            }
        }
        Optional<Integer> latestLive = ownLive.isEmpty() ? Optional.empty()
                : Optional.of(ownLive.get(ownLive.size() - 1));
        // Production held by an operator is where training continues ("retrain from here"): from the newest
        // version trainers made on top of it since, else from the held version itself, whoever made it.
        Optional<Integer> held = settings.heldProduction();
        Optional<Integer> resumeFrom = held.map(version -> newestDescendant(version, ownLive, parents))
                .or(() -> latestLive);
        Optional<LoadedArtifact> latest;
        try {
            latest = resumeFrom.map(version -> model.version(registry, domain, version));
        } catch (InvalidArtifactException e) {
            if (held.isEmpty()) {
                throw e;
            }
            log.warn("Domain {}: production is held at version {}, but its delta cannot be used ({}); resuming from "
                    + "the trainers' own lineage", domain, held.get(), e.getMessage());
            resumeFrom = latestLive;
            latest = latestLive.map(version -> model.version(registry, domain, version));
        }
        return new DomainRestore(configured, hyperparameters, resumeFrom, latest, registeredUntil, held,
                resumeFrom.equals(latestLive), resumeFrom.map(searchRecords::get).orElse(Map.of()));
    }

    /** The newest of {@code candidates} whose chain of parents reaches {@code ancestor}, else {@code ancestor}. */
    private static int newestDescendant(int ancestor, List<Integer> candidates, Map<Integer, Integer> parents) {
        for (int i = candidates.size() - 1; i >= 0; i--) {
            Integer step = candidates.get(i);
            for (int hops = 0; step != null && hops <= parents.size(); hops++) {
                if (step == ancestor) {
                    return candidates.get(i);
                }
                step = parents.get(step);
            }
        }
        return ancestor;
    }
}
