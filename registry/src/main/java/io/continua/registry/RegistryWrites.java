package io.continua.registry;

import io.continua.schemas.registry.UploadMetadata;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.AdapterFusionPiece;
import io.continua.peft.artifact.DeltaArtifactReader;
import io.continua.peft.delta.AdapterFusionConfig;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.delta.KindSearch;
import io.continua.registry.blob.ArtifactStore;
import io.continua.registry.lineage.LineageCheck;
import io.continua.registry.log.DeltaLogWriter;
import io.continua.registry.log.DeltaLogWriter.BlobRecord;
import io.continua.registry.log.DeltaLogWriter.Entry;
import io.continua.registry.log.WriterFencedException;
import io.continua.registry.state.RegistryState;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DeltaBlobs;
import io.continua.schemas.kafka.DeltaLog;
import io.continua.schemas.registry.RolloutMode;
import io.continua.schemas.kafka.DeltaLogFollower;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change to the registry, run one at a time on the writer thread: each is appended to the
 * log, and answered once the log's one reader has applied it to the view (as Confluent Schema
 * Registry's KafkaStore does): the view has one writer, in log order, so an alias never moves
 * backwards for a moment. Versions are allocated here from the view, which holds every change
 * before the next one starts, so they are monotonic and never reused.
 */
public final class RegistryWrites {
    private static final Logger log = LoggerFactory.getLogger(RegistryWrites.class);

    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    private final RegistryState state;
    private final DeltaLogFollower reader;
    private final ArtifactStore artifacts;
    private final DeltaArtifactReader archives;
    private final MeterRegistry metrics;
    private final Duration maxTrial;
    private volatile DeltaLogWriter writer;

    /** @param maxTrial how long a candidate under trial keeps its place against newer versions */
    RegistryWrites(RegistryState state, DeltaLogFollower reader, ArtifactStore artifacts, DeltaArtifactReader archives,
                   DeltaLogWriter writer, MeterRegistry metrics, Duration maxTrial) {
        this.state = state;
        this.archives = archives;
        this.reader = reader;
        this.artifacts = artifacts;
        this.writer = writer;
        this.metrics = metrics;
        this.maxTrial = maxTrial;
    }

    /**
     * What an upload registered, whether it moved production, and why or why not; {@code repeated}
     * when the same upload had already registered this version (nothing new was written).
     */
    public record Uploaded(DeltaVersion version, Optional<AliasPointer> promotion, String promotionReason,
                           boolean repeated) {
    }

    public boolean canWrite() {
        return writer != null;
    }

    /**
     * A domain configured for a kind takes deltas of that kind; for AdapterFusion, over its configured sources; for a
     * search, any of its candidates.
     */
    private static boolean accepts(DomainConfig config, DeltaConfig artifact) {
        if (config.getKind().equals(KindSearch.AUTO)) {
            return KindSearch.parse(config.getHyperparameters()).accepts(artifact);
        }
        if (config.getKind().equals(DeltaKind.ADAPTER_FUSION.key())) {
            Map<String, String> settings = new HashMap<>(config.getHyperparameters());
            settings.put("kind", config.getKind());
            return artifact.isTrainedAs(DeltaConfigs.parse(settings));
        }
        return config.getKind().equals(artifact.kind().key());
    }

    /**
     * An AdapterFusion delta's sources are adapter versions this registry holds, pinned, not deleted, and the
     * adapters it carries are exactly those versions' tensors: the lineage it records is the one it computes with.
     */
    private void checkSources(AdapterFusionConfig fusion, Delta delta) {
        Map<String, WeightTensor> carried = new HashMap<>();
        delta.frozen().forEach(tensor -> carried.put(tensor.name(), tensor));
        for (int index = 0; index < fusion.sources().size(); index++) {
            AdapterFusionConfig.Source source = fusion.sources().get(index);
            Optional<DeltaVersion> pinned = source.pinned() ? state.version(source.domain(), source.version())
                    : Optional.empty();
            String problem = !source.pinned() ? "is not pinned to a version"
                    : pinned.isEmpty() ? "names a version that does not exist"
                    : pinned.get().getDeleted() ? "names a deleted version"
                    : !pinned.get().getKind().equals(DeltaKind.ADAPTER.key())
                    ? "is a " + pinned.get().getKind() + " delta"
                    : carriesOther(pinned.get(), index, carried) ? "is carried with other weights than that version's"
                    : null;
            if (problem != null) {
                throw ServiceException.unprocessable("invalid_sources", "AdapterFusion source " + source + " " + problem
                        + "; sources are adapter versions of this registry, pinned as domain@version");
            }
        }
    }

    /** Whether the tensors carried as source {@code index} differ from the adapter {@code version} holds. */
    private boolean carriesOther(DeltaVersion version, int index, Map<String, WeightTensor> carried) {
        byte[] bytes;
        try {
            bytes = artifacts.get(version.getSha256()).orElseThrow(() -> ServiceException.unavailable(
                    "artifact_unavailable", "The archive of " + version.getDomain() + "/" + version.getVersion()
                            + " cannot be read to check a fusion's sources; try again"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ServiceException.unavailable("artifact_unavailable", "Interrupted reading a fusion's sources");
        }
        for (WeightTensor tensor : archives.read(bytes).delta().parameters()) {
            if (tensor.name().equals(DeltaLayout.HEAD_WEIGHT) || tensor.name().equals(DeltaLayout.HEAD_BIAS)) {
                continue;
            }
            WeightTensor copy = carried.get(AdapterFusionPiece.source(index, tensor.name()));
            if (copy == null || !Arrays.equals(copy.values(), tensor.values())) {
                return true;
            }
        }
        return false;
    }

    public Uploaded upload(String domain, LoadedArtifact artifact, byte[] archive, UploadMetadata metadata, String actor) {
        requireWriter();
        Optional<DeltaVersion> earlier = sameUpload(domain, artifact.sha256(), metadata, actor);
        if (earlier.isPresent()) {
            log.info("Upload of {}/{} by {} repeated (same archive, parent and lineage): answered with it", domain,
                    earlier.get().getVersion(), actor);
            return new Uploaded(earlier.get(), Optional.empty(), "already registered as version "
                    + earlier.get().getVersion(), true);
        }
        DomainConfig config = state.config(domain).orElse(DomainConfigs.defaults(domain));
        String kind = artifact.delta().config().kind().key();
        if (state.config(domain).isPresent() && !accepts(config, artifact.delta().config())) {
            throw ServiceException.unprocessable("kind_mismatch", "Domain '" + domain + "' is configured for " + config.getKind()
                    + " deltas" + (config.getKind().equals(KindSearch.AUTO) ? " (a search over "
                    + KindSearch.parse(config.getHyperparameters()).candidates().stream()
                            .map(candidate -> candidate.hyperparameters().toString()).toList() + ")" : "")
                    + "; this artifact is " + kind + " " + artifact.delta().config().hyperparameters());
        }
        if (metadata.parentVersion() != null && state.version(domain, metadata.parentVersion()).isEmpty()) {
            throw ServiceException.unprocessable("unknown_parent", "Parent version " + metadata.parentVersion()
                    + " does not exist in domain '" + domain + "'");
        }
        if (artifact.delta().config() instanceof AdapterFusionConfig fusion) {
            checkSources(fusion, artifact.delta());
        }
        LineageCheck.checkNoOverlap(metadata.trainedOn(), actor, state.versions(domain));
        if (metadata.comparison() != null && state.version(domain, metadata.comparison().getVersion()).isEmpty()) {
            throw ServiceException.unprocessable("unknown_comparison", "The comparison names version "
                    + metadata.comparison().getVersion() + ", which does not exist in domain '" + domain + "'");
        }
        // What the archive's configuration says wins over what the uploader's metadata claims.
        Map<String, String> hyperparameters = new LinkedHashMap<>(metadata.hyperparameters());
        hyperparameters.putAll(artifact.delta().config().hyperparameters());
        DeltaVersion version = DeltaVersion.newBuilder()
                .setDomain(domain)
                .setVersion(state.lastVersion(domain) + 1)
                .setKind(kind)
                .setSha256(artifact.sha256())
                .setSizeBytes(archive.length)
                .setBaseModel(artifact.baseModel())
                .setLabels(artifact.delta().labels())
                .setParentVersion(metadata.parentVersion())
                .setHyperparameters(hyperparameters)
                .setMetrics(metadata.metrics())
                .setTrainedOn(metadata.trainedOn())
                .setTrainWallMs(metadata.trainWallMs())
                .setCreatedBy(actor)
                .setCreatedAt(Instant.now())
                .setDeleted(false)
                .setComparison(metadata.comparison())
                .build();
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(DeltaLog.versionKey(domain, version.getVersion()), version));
        Optional<AliasPointer> production = state.alias(domain, Promotion.PRODUCTION);
        Optional<DeltaVersion> current = production.flatMap(pointer -> state.version(domain, pointer.getVersion()));
        // With a rollout a version that passes goes to the candidate alias, tried on live traffic before it serves
        // (unless nothing serves yet); a held production does not stop it being tried.
        String target = RolloutMode.of(config.getRolloutMode()) != RolloutMode.NONE && current.isPresent()
                ? RolloutMode.CANDIDATE : Promotion.PRODUCTION;
        Promotion.Decision decision = Promotion.decide(config, target.equals(Promotion.PRODUCTION) ? production
                : Optional.empty(), current, version);
        Optional<String> trial = target.equals(RolloutMode.CANDIDATE) && decision.promote()
                ? underTrial(domain, current.get().getVersion()) : Optional.empty();
        if (trial.isPresent()) {
            decision = Promotion.Decision.keep(decision.reason() + ", but " + trial.get() + "; this version waits");
        }
        Optional<AliasPointer> promotion = decision.promote()
                ? Optional.of(pointer(domain, target, version.getVersion(), decision.reason(), "policy:auto",
                        target.equals(Promotion.PRODUCTION) ? Optional.of(false) : Optional.empty()))
                : Optional.empty();
        promotion.ifPresent(pointer -> entries.addAll(moves(pointer)));
        // The bytes go in the same transaction as the version: never one without the other.
        List<BlobRecord> chunks = artifacts.contains(artifact.sha256()) ? List.of()
                : chunkRecords(artifact.sha256(), archive);
        append(chunks, entries);
        metrics.counter("continua_registry_versions_registered", "domain", domain, "kind", kind).increment();
        promotion.ifPresent(pointer -> metrics.counter("continua_registry_alias_moves", "domain", domain, "alias",
                pointer.getAlias(), "actor", "policy").increment());
        log.info("Registered {}/{} ({}, {} labels, sha256 {}) by {}; {}: {}", domain, version.getVersion(), kind,
                version.getLabels().size(), version.getSha256().substring(0, 12), actor,
                decision.promote() ? target + " -> " + version.getVersion() : target + " stays", decision.reason());
        return new Uploaded(version, promotion, decision.reason(), false);
    }

    /**
     * Why the domain's candidate keeps its place: it is held, or being tried beside production for less than
     * {@code rollout.max.trial}; empty if a new version may replace it.
     */
    private Optional<String> underTrial(String domain, int production) {
        Optional<AliasPointer> candidate = state.alias(domain, RolloutMode.CANDIDATE)
                .filter(pointer -> pointer.getVersion() != null && pointer.getVersion() != production);
        if (candidate.isEmpty()) {
            return Optional.empty();
        }
        AliasPointer tried = candidate.get();
        if (tried.getHeld()) {
            return Optional.of("candidate v" + tried.getVersion() + " is held");
        }
        Instant until = tried.getMovedAt().plus(maxTrial);
        return Instant.now().isBefore(until) ? Optional.of("candidate v" + tried.getVersion() + " is under trial until "
                + until) : Optional.empty();
    }

    /**
     * A move and what follows it in the same transaction: when production moves, a candidate (unless held) is pointed
     * at the same version, so that a version production moved away from, or to, is not tried again beside it.
     */
    private List<Entry> moves(AliasPointer pointer) {
        List<Entry> entries = new ArrayList<>(moveEntries(pointer));
        if (pointer.getAlias().equals(Promotion.PRODUCTION)) {
            state.alias(pointer.getDomain(), RolloutMode.CANDIDATE)
                    .filter(candidate -> !candidate.getHeld() && !Objects.equals(candidate.getVersion(),
                            pointer.getVersion()))
                    .ifPresent(candidate -> entries.addAll(moveEntries(pointer(pointer.getDomain(),
                            RolloutMode.CANDIDATE, pointer.getVersion(), "follows production to v"
                                    + pointer.getVersion() + " (" + pointer.getReason() + ")", pointer.getActor(),
                            Optional.empty()))));
        }
        return entries;
    }

    /**
     * The version a retried upload already registered: same uploader, archive, parent and lineage.
     * A client whose first attempt succeeded but whose answer was lost gets that version back, not a
     * second one claiming the same examples.
     */
    private Optional<DeltaVersion> sameUpload(String domain, String sha256, UploadMetadata metadata, String actor) {
        return state.versions(domain).stream()
                .filter(version -> !version.getDeleted() && version.getSha256().equals(sha256)
                        && version.getCreatedBy().equals(actor)
                        && Objects.equals(version.getParentVersion(), metadata.parentVersion())
                        && version.getTrainedOn().equals(metadata.trainedOn()))
                .findFirst();
    }

    /**
     * Publishes to the artifact topic the archives of live versions that only a registry's local
     * directory holds ({@code <dir>/<first two hex digits>/<sha256>}, where registries before the
     * artifact topic kept them): an upgraded registry loses none. Files that do not hash to their
     * name are left alone.
     */
    void adoptLocalArchives(Path legacyDir) {
        if (!Files.isDirectory(legacyDir)) {
            return;
        }
        for (String domain : state.domains()) {
            for (DeltaVersion version : state.versions(domain)) {
                String sha = version.getSha256();
                Path file = legacyDir.resolve(sha.substring(0, 2)).resolve(sha);
                if (version.getDeleted() || artifacts.contains(sha) || !Files.isRegularFile(file)) {
                    continue;
                }
                try {
                    byte[] archive = Files.readAllBytes(file);
                    if (!DeltaArtifact.sha256(archive).equals(sha)) {
                        log.warn("Not adopting {}: its bytes do not hash to its name", file);
                        continue;
                    }
                    append(chunkRecords(sha, archive), List.of());
                    log.info("Adopted the archive of {}/{} from {} into the artifact topic", domain,
                            version.getVersion(), legacyDir);
                } catch (IOException e) {
                    log.warn("Cannot adopt {}: {}", file, e.getMessage());
                }
            }
        }
    }

    /**
     * Points {@code alias} at {@code version}. {@code hold} true holds the alias there (no policy moves it until a
     * release), false releases it, empty keeps it held or not as it was.
     */
    public AliasPointer moveAlias(String domain, String alias, int version, String reason, String actor,
                                  Optional<Boolean> hold) {
        requireWriter();
        DeltaVersion target = state.version(domain, version).orElseThrow(() -> ServiceException.notFound("unknown_version",
                "Domain '" + domain + "' has no version " + version));
        if (target.getDeleted()) {
            throw ServiceException.conflict("version_deleted", "Version " + version + " of '" + domain + "' is deleted");
        }
        AliasPointer pointer = pointer(domain, alias, version, reason, actor, hold);
        append(List.of(), moves(pointer));
        metrics.counter("continua_registry_alias_moves", "domain", domain, "alias", alias, "actor",
                actor.startsWith("rollout:") ? "policy" : "operator").increment();
        log.info("Alias {}@{}: {} -> {}{} by {} ({})", domain, alias, pointer.getPreviousVersion(), version,
                pointer.getHeld() ? ", held" : "", actor, reason);
        return pointer;
    }

    public DeltaVersion delete(String domain, int version, String actor) {
        requireWriter();
        DeltaVersion existing = state.version(domain, version).orElseThrow(() -> ServiceException.notFound("unknown_version", "Domain '" + domain + "' has no version " + version));
        List<String> aliases = state.aliasesOf(domain, version);
        if (!aliases.isEmpty()) {
            throw ServiceException.conflict("version_in_use", "Version " + version + " of '" + domain
                    + "' is the target of " + aliases + "; move them first");
        }
        if (existing.getDeleted()) {
            return existing;
        }
        DeltaVersion deleted = DeltaVersion.newBuilder(existing).setDeleted(true).build();
        // Its bytes go too, unless another live version has the same archive.
        boolean shared = state.liveVersionsUsing(existing.getSha256()) > 1;
        List<BlobRecord> tombstones = shared ? List.of() : artifacts.chunkKeys(existing.getSha256()).stream()
                .map(key -> new BlobRecord(key, null)).toList();
        append(tombstones, List.of(new Entry(DeltaLog.versionKey(domain, version), deleted)));
        metrics.counter("continua_registry_versions_deleted", "domain", domain).increment();
        log.info("Deleted {}/{} by {}", domain, version, actor);
        return deleted;
    }

    public DomainConfig configure(DomainConfig config) {
        requireWriter();
        append(List.of(), List.of(new Entry(DeltaLog.configKey(config.getDomain()), config)));
        log.info("Configured {}: {} {} promotion {} by {}", config.getDomain(), config.getKind(),
                config.getHyperparameters(), config.getPromotionPolicy(), config.getUpdatedBy());
        return config;
    }

    private static List<BlobRecord> chunkRecords(String sha256, byte[] archive) {
        return DeltaBlobs.chunks(sha256, archive).stream()
                .map(chunk -> new BlobRecord(chunk.key().key(), chunk.bytes())).toList();
    }

    /** The alias's next pointer; {@code hold} empty keeps it held or not as it is now. */
    private AliasPointer pointer(String domain, String alias, int version, String reason, String actor,
                                 Optional<Boolean> hold) {
        Optional<AliasPointer> current = state.alias(domain, alias);
        // A hold or release where the alias already points keeps where it came from: a rollback still goes there.
        Integer previous = current.map(pointer -> Objects.equals(pointer.getVersion(), version)
                ? pointer.getPreviousVersion() : pointer.getVersion()).orElse(null);
        boolean held = hold.orElseGet(() -> current.map(AliasPointer::getHeld).orElse(false));
        return new AliasPointer(domain, alias, version, previous, reason, actor, held, Instant.now());
    }

    /** A move is its history entry plus the alias's current pointer. */
    private List<Entry> moveEntries(AliasPointer pointer) {
        long move = state.aliasMoves(pointer.getDomain(), pointer.getAlias()) + 1;
        return List.of(new Entry(DeltaLog.aliasHistoryKey(pointer.getDomain(), pointer.getAlias(), move), pointer),
                new Entry(DeltaLog.aliasKey(pointer.getDomain(), pointer.getAlias()), pointer));
    }

    /** Appends the records of another part of the registry (the schemas API) together; returns once applied. */
    public void appendRecords(List<Entry> entries) {
        requireWriter();
        append(List.of(), entries);
    }

    private void append(List<BlobRecord> blobRecords, List<Entry> entries) {
        DeltaLogWriter current = writer;
        Map<TopicPartition, Long> written;
        try {
            written = current.append(blobRecords, entries);
        } catch (WriterFencedException e) {
            writer = null;
            current.close();
            log.warn("Another registry instance took over writing; this one now serves reads only");
            throw readOnly();
        }
        try {
            if (!artifacts.awaitApplied(written, APPLY_TIMEOUT) || !reader.awaitApplied(written, APPLY_TIMEOUT)) {
                throw ServiceException.unavailable("not_applied", "The change is in the log but the registry has not "
                        + "applied it within " + APPLY_TIMEOUT.toSeconds() + " s; it will appear once it has");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ServiceException.unavailable("not_applied", "Interrupted while applying the change; it is in the log");
        }
    }

    private void requireWriter() {
        if (writer == null) {
            throw readOnly();
        }
    }

    private static ServiceException readOnly() {
        return ServiceException.conflict("read_only", "This registry instance serves reads only; send changes to the "
                + "writing instance");
    }

    void close() {
        DeltaLogWriter current = writer;
        writer = null;
        if (current != null) {
            current.close();
        }
    }
}
