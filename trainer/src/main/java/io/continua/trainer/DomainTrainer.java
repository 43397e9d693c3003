package io.continua.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.artifact.InvalidArtifactException;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.AdapterFusionConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.KindSearch;
import io.continua.peft.training.AdamW;
import io.continua.peft.training.DeltaTrainer;
import io.continua.peft.training.Evaluation;
import io.continua.peft.training.Evaluator;
import io.continua.peft.training.OptimizerState;
import io.continua.peft.training.TrainingConfig;
import io.continua.peft.training.TrainingGraph;
import io.continua.schemas.Comparison;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.Split;
import io.continua.schemas.kafka.ExampleHeaders;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.registry.UploadMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One domain's continual training: its delta and optimizer state, a class-balanced replay
 * reservoir, a class-balanced holdout set, the new examples since the last update, and the
 * lineage that says which offsets registered versions learned from. An update trains on new
 * examples mixed with replayed ones, gates the candidate against the champion, and registers it.
 */
final class DomainTrainer {
    private static final Logger log = LoggerFactory.getLogger(DomainTrainer.class);
    private static final int FORGETTING_SAMPLE = 128;
    /** How long a domain whose new delta cannot be made yet (sources unread, too small a holdout) waits. */
    static final Duration NOT_READY_RETRY = Duration.ofSeconds(10);
    /** Holdout examples a kind search needs before it compares kinds on them. */
    static final int SEARCH_MIN_HOLDOUT = 10;

    private final String domain;
    private final DomainModel model;
    private final TrainerConfig config;
    private final RegistryClient registry;
    private TrainingConfig training;
    private Configured configured;
    /** The domain's configured hyperparameters, training settings among them. */
    private Map<String, String> hyperparameters;
    /** The last kind search's choice and every candidate's scores, recorded with each version they lead to. */
    private Map<String, String> searchRecord;
    private final Lineage lineage;
    private final BalancedReservoir replay;
    private final BalancedReservoir holdout;
    private final List<LabeledText> fresh = new ArrayList<>();
    private final Map<Integer, Long> lastRead = new LinkedHashMap<>();
    private final Map<Integer, Long> seenUntil = new LinkedHashMap<>();
    private final Random random;
    private final PassSchedule schedule;
    private DeltaTrainer trainer;
    private Delta champion;
    private Integer championVersion;
    private VersionedDelta production;
    /** When new examples were last trained on (the update interval counts from here); when any round last ran. */
    private long lastUpdateNanos = System.nanoTime();
    private long lastRoundNanos = lastUpdateNanos;
    private long trainedExamples;
    private double lastLoss = Double.NaN;
    private Double lastHoldoutAccuracy;
    /** Event time of the newest example read and not yet trained on; of the newest trained on. */
    private long newestFreshEventMs = Long.MIN_VALUE;
    private long newestTrainedEventMs = Long.MIN_VALUE;
    private Long servedNewestEventMs;
    private double lastExamplesPerSecond = Double.NaN;
    /** The held production version training last continued from; a new hold elsewhere moves training there. */
    private Integer heldVersionFollowed;
    /** The last time the lineage restarted or moved, and why (for the status), or null. */
    private String lineageEvent;
    private ChampionScores championScores;
    /** How often a registered example read again counts as trained on. */
    private final int registeredVisits;
    /** Why a new delta cannot be made yet, or null. */
    private String notReady;
    private long retryNanos;

    DomainTrainer(String domain, DomainModel model, TrainerConfig config, RegistryClient registry,
                  DomainRestore restore) {
        this.domain = domain;
        this.model = model;
        this.config = config;
        this.registry = registry;
        this.hyperparameters = restore.hyperparameters();
        this.training = trainingConfig(hyperparameters, config.batchSize(), restore.configured().delta() != null
                ? restore.configured().delta()
                : restore.latest().map(artifact -> artifact.delta().config()).orElse(null));
        this.configured = restore.configured();
        // A search's record goes on only with the lineage it chose: not into a kind configured since.
        this.searchRecord = configured.search() != null ? restore.searchRecord() : Map.of();
        this.lineage = new Lineage(config.topics().examplesAccepted(), restore.registeredUntil());
        this.replay = new BalancedReservoir(config.replayCapacity(), training.seed(), config.targetPasses());
        this.holdout = new BalancedReservoir(config.holdoutCapacity(), training.seed() + 1);
        this.random = new Random(training.seed() + 2);
        this.schedule = new PassSchedule(config.targetPasses(), config.learningRateFloor());
        this.championVersion = restore.latestVersion().orElse(null);
        Optional<LoadedArtifact> latest = restore.latest()
                .filter(artifact -> restore.configured().accepts(artifact.delta().config()));
        if (latest.isPresent()) {
            champion = latest.get().delta();
            trainer = trainerFrom(champion, latest.get().optimizer().orElse(null));
        }
        heldVersionFollowed = restore.heldProduction().orElse(null);
        // Registered examples read again (the reservoirs are rebuilt) were learned by the version resumed from,
        // unless that is an older one (production held further back): then they are owed their passes again.
        registeredVisits = restore.resumedFromNewest() && champion != null ? config.targetPasses() : 0;
        if (champion == null) {
            log.info("Domain {}: new delta ({})", domain, configured);
        } else if (restore.heldProduction().isPresent()) {
            lineageEvent = "continues from version " + championVersion + " (production held at version "
                    + restore.heldProduction().get() + ")";
            log.info("Domain {}: resuming from version {}, production being held at version {} ({} labels)", domain,
                    championVersion, restore.heldProduction().get(), champion.labels().size());
        } else {
            log.info("Domain {}: resuming from version {} ({} labels)", domain, championVersion, champion.labels().size());
        }
    }

    /**
     * Takes one accepted example into the domain's state; false for a record read before (the
     * partition was read again for a domain that was parked), which is ignored. A label correction
     * replaces the text's earlier label wherever the domain keeps it.
     */
    boolean accept(ConsumerRecord<String, LabeledExample> record) {
        if (record.offset() < seenUntil.getOrDefault(record.partition(), 0L)) {
            return false;
        }
        seenUntil.put(record.partition(), record.offset() + 1);
        LabeledExample example = record.value();
        LabeledText text = new LabeledText(example.getText(), example.getLabel());
        if (ExampleHeaders.isCorrection(record.headers())) {
            // The old label is wrong: it must neither be replayed nor gate candidates any more.
            holdout.forget(text.text());
            replay.forget(text.text());
            fresh.removeIf(old -> old.text().equals(text.text()));
        }
        if (example.getSplit() == Split.HOLDOUT) {
            holdout.add(text);
        } else if (lineage.alreadyRegistered(record.partition(), record.offset())) {
            replay.add(text, registeredVisits);
        } else {
            fresh.add(text);
            newestFreshEventMs = Math.max(newestFreshEventMs, example.getEventTime().toEpochMilli());
            lineage.read(record.partition(), record.offset());
            lastRead.put(record.partition(), record.offset());
        }
        return true;
    }

    /** What a domain has to do next. */
    enum Work {
        /** New examples are due: enough of them, or the interval since the last update passed. */
        UPDATE,
        /**
         * No update due, but examples the domain keeps are short of their target passes: the worker keeps the CPU
         * learning while there is something left to learn, not a fixed number of rounds.
         */
        CONSOLIDATE,
        NONE
    }

    Work work(long now) {
        if (notReady != null) {
            return now >= retryNanos && !fresh.isEmpty() ? Work.UPDATE : Work.NONE;
        }
        if (fresh.size() >= config.minNewExamples()
                || !fresh.isEmpty() && now - lastUpdateNanos >= config.maxInterval().toNanos()) {
            return Work.UPDATE;
        }
        return trainer != null && replay.owed() > 0 ? Work.CONSOLIDATE : Work.NONE;
    }

    /** An update given up before it registered anything: its partition is leaving, or the trainer stops. */
    static final class UpdateAbandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UpdateAbandoned() {
            super(null, null, false, false);
        }
    }

    /**
     * An update that could not start: a new delta cannot be made yet (AdapterFusion sources unread, a kind search
     * without enough holdout); the examples stay pending.
     */
    static final class NotReady extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotReady() {
            super(null, null, false, false);
        }
    }

    /** When the domain last had a round of training (an update or a consolidation): the scheduler's staleness. */
    long lastRoundNanos() {
        return lastRoundNanos;
    }

    private static void check(BooleanSupplier abandoned) {
        if (abandoned.getAsBoolean()) {
            throw new UpdateAbandoned();
        }
    }

    /**
     * One consolidation round: {@code stepsPerUpdate} steps on the replayed examples trained on least; the
     * result is registered only if it beats the champion on the holdout by more than the minimum gain, so
     * consolidation never churns versions.
     *
     * @param abandoned checked between steps; once true the round stops with {@link UpdateAbandoned}
     */
    Optional<Integer> consolidate(BooleanSupplier abandoned) {
        long started = System.nanoTime();
        lastRoundNanos = started;
        followConfig();
        ensureTrainer(replay::all, abandoned);
        double lossSum = 0;
        for (int step = 0; step < config.stepsPerUpdate(); step++) {
            check(abandoned);
            List<BalancedReservoir.Visit> visits = replay.leastTrained(training.batchSize());
            lossSum += trainer.step(visits.stream().map(BalancedReservoir.Visit::example).toList(),
                    schedule.scale(visits.stream().mapToInt(BalancedReservoir.Visit::before)));
        }
        lastLoss = lossSum / config.stepsPerUpdate();
        check(abandoned);
        Delta candidate = trainer.snapshot();
        List<LabeledText> holdoutSet = holdout.all();
        Candidate result = evaluate(candidate, holdoutSet, replay.sample(FORGETTING_SAMPLE), 0);
        check(abandoned);
        boolean better = result.holdout().examples() > 0 && (result.championHoldout() == null
                || result.holdout().accuracy() > result.championHoldout().accuracy() + config.consolidationMinGain());
        lastHoldoutAccuracy = result.holdout().examples() > 0 ? result.holdout().accuracy() : null;
        if (!better || result.forgetting() > config.maxForgetting()) {
            log.info("Domain {}: consolidation round kept the champion (holdout {} vs {})", domain,
                    format(result.holdout()), format(result.championHoldout()));
            return Optional.empty();
        }
        return register(candidate, holdoutSet, result, System.nanoTime() - started);
    }

    int pending() {
        return fresh.size();
    }

    /**
     * Applies the domain's configuration as the registry holds it now: a change of kind or of the delta's
     * hyperparameters starts a new lineage (a new delta, no parent) trained from the data the domain keeps, so
     * uploads match the configuration instead of being refused until a rebalance. Training hyperparameters apply
     * from here on. Production newly held at a version moves training onto that version's delta. If the registry
     * cannot say, the current configuration stays.
     */
    private void followConfig() {
        DomainRestore.Settings now;
        try {
            now = DomainRestore.Settings.of(registry.domain(domain));
        } catch (RuntimeException e) {
            log.warn("Domain {}: cannot read its configuration ({}); training on with the current one", domain,
                    e.getMessage());
            return;
        }
        hyperparameters = now.hyperparameters();
        if (!now.configured().equals(configured)) {
            log.info("Domain {}: configuration changed from {} to {}; a new lineage starts from the {} examples the "
                    + "domain keeps", domain, configured, now.configured(), replay.size() + fresh.size());
            lineageEvent = "new lineage at " + Instant.now() + ": " + configured + " -> " + now.configured();
            configured = now.configured();
            searchRecord = Map.of();
            notReady = null;
            training = trainingConfig(hyperparameters, config.batchSize(), configured.delta());
            trainer = null;
            champion = null;
            championVersion = null;
            replay.forgetVisits();
        } else if (trainer != null) {
            TrainingConfig newTraining = trainingConfig(hyperparameters, config.batchSize(), trainer.deltaConfig());
            if (!newTraining.equals(training)) {
                training = newTraining;
                trainer = trainerFrom(trainer.snapshot(), trainer.optimizer().state());
            }
        }
        if (now.heldProduction().isEmpty()) {
            // Released: a later hold, even at the same version again, moves training there again.
            heldVersionFollowed = null;
        }
        now.heldProduction().filter(held -> !held.equals(heldVersionFollowed)).ifPresent(this::continueFrom);
    }

    /**
     * Production was held at {@code version} (an operator's rollback made sticky): training continues from that
     * version's delta and optimizer state, not from the versions after it, and re-learns what it keeps (replay) on
     * top of it. A held version of another configuration is left alone: the configured lineage goes on.
     */
    private void continueFrom(int version) {
        if (Integer.valueOf(version).equals(championVersion)) {
            heldVersionFollowed = version;
            return;
        }
        LoadedArtifact held;
        try {
            held = model.version(registry, domain, version);
        } catch (InvalidArtifactException e) {
            heldVersionFollowed = version;
            log.warn("Domain {}: production is held at version {}, but its delta cannot be used ({}); training goes "
                    + "on from its own lineage", domain, version, e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warn("Domain {}: production is held at version {}, but its delta cannot be read ({}); trying again "
                    + "before the next update", domain, version, e.getMessage());
            return;
        }
        heldVersionFollowed = version;
        if (!configured.accepts(held.delta().config())) {
            log.warn("Domain {}: production is held at version {}, a {} delta; the domain is configured for {}, "
                    + "so training goes on from its own lineage", domain, version, held.delta().config().kind().key(),
                    configured);
            return;
        }
        log.info("Domain {}: production is held at version {}; training continues from it instead of version {}",
                domain, version, championVersion);
        lineageEvent = "continues from version " + version + " (held at " + Instant.now() + "), not from "
                + "version " + championVersion;
        champion = held.delta();
        championVersion = version;
        trainer = trainerFrom(champion, held.optimizer().orElse(null));
        notReady = null;
        // The held version never learned what came after it: everything kept is owed its passes again.
        replay.forgetVisits();
    }

    /**
     * A delta to train: the champion's, or a new one knowing the labels of {@code examples} (listed only then: a
     * round with a trainer, nearly every one, copies nothing).
     */
    private void ensureTrainer(Supplier<List<LabeledText>> examples, BooleanSupplier abandoned) {
        if (trainer == null) {
            List<LabeledText> known = examples.get();
            List<String> labels = known.stream().map(LabeledText::label).distinct().toList();
            if (configured.search() != null) {
                trainer = search(configured.search(), known, labels, abandoned);
                return;
            }
            Delta initial = configured.delta() instanceof AdapterFusionConfig fusion ? compose(fusion, labels)
                    : Delta.initialize(configured.delta(), model.encoder().architecture(), labels, training.seed());
            trainer = trainerFrom(initial, null);
        }
    }

    /**
     * A new AdapterFusion delta over the sources' adapters: each source at the version the configuration pins, else
     * at its production version now, which the new delta then pins. A source that cannot be read or is no adapter
     * leaves the domain waiting (its examples kept) and tried again after {@link #NOT_READY_RETRY}.
     */
    private Delta compose(AdapterFusionConfig fusion, List<String> labels) {
        List<Delta> adapters = new ArrayList<>();
        List<Integer> versions = new ArrayList<>();
        Delta composed;
        try {
            for (AdapterFusionConfig.Source source : fusion.sources()) {
                int version = source.pinned() ? source.version() : productionOf(source.domain());
                adapters.add(model.version(registry, source.domain(), version).delta());
                versions.add(version);
            }
            composed = fusion.compose(adapters, versions, model.encoder().architecture(), labels, training.seed());
        } catch (RuntimeException e) {
            throw notReady("cannot compose the AdapterFusion sources yet: " + e.getMessage());
        }
        notReady = null;
        log.info("Domain {}: new AdapterFusion delta over {}", domain, composed.config().hyperparameters().get("sources"));
        return composed;
    }

    /** Waits {@link #NOT_READY_RETRY} before the next try, saying why in the status and the log. */
    private NotReady notReady(String reason) {
        if (!reason.equals(notReady)) {
            log.warn("Domain {}: {}; trying again every {} s while examples come", domain, reason,
                    NOT_READY_RETRY.toSeconds());
        }
        notReady = reason;
        retryNanos = System.nanoTime() + NOT_READY_RETRY.toNanos();
        return new NotReady();
    }

    /**
     * {@code kind: auto}: the search's candidates trained on {@code examples} and compared on the holdout; the
     * chosen one's trainer goes on as the domain's, and the choice with every candidate's scores is recorded with
     * the versions it leads to. Waits for {@link #SEARCH_MIN_HOLDOUT} holdout examples first.
     */
    private DeltaTrainer search(KindSearch search, List<LabeledText> examples, List<String> labels,
                                BooleanSupplier abandoned) {
        List<LabeledText> holdoutSet = holdout.all();
        if (holdoutSet.size() < SEARCH_MIN_HOLDOUT) {
            throw notReady("kind auto: waiting for " + SEARCH_MIN_HOLDOUT + " holdout examples to compare kinds on ("
                    + holdoutSet.size() + " so far)");
        }
        notReady = null;
        KindSearchRun.Result result = KindSearchRun.run(domain, search, model,
                kind -> trainingConfig(hyperparameters, config.batchSize(), kind), examples, holdoutSet, labels,
                () -> check(abandoned));
        training = trainingConfig(hyperparameters, config.batchSize(), result.choice().config());
        searchRecord = Map.of("auto_choice", KindSearch.record(result.choice().config()),
                "auto_candidates", KindSearch.record(result.scored()));
        lineageEvent = "kind auto chose " + result.choice().describe() + " at " + Instant.now();
        return result.winner();
    }

    private int productionOf(String source) {
        JsonNode info = registry.domain(source).orElseThrow(() -> new IllegalStateException("source domain '"
                + source + "' does not exist"));
        return production(info).orElseThrow(() -> new IllegalStateException("source domain '" + source
                + "' has no production version yet"));
    }

    /** The version a domain's production alias points at, if any, from its {@code GET /v1/domains/{d}}. */
    private static Optional<Integer> production(JsonNode info) {
        JsonNode version = info.path("aliases").path(DomainRestore.PRODUCTION);
        return version.isInt() ? Optional.of(version.asInt()) : Optional.empty();
    }

    /**
     * Trains on what is new, gates the candidate, and registers it if it passes; returns the version.
     *
     * @param abandoned checked between steps and before registering; once true the update stops with
     *                  {@link UpdateAbandoned}, leaving the domain to be dropped
     */
    Optional<Integer> update(BooleanSupplier abandoned) {
        long started = System.nanoTime();
        lastUpdateNanos = started;
        lastRoundNanos = started;
        List<LabeledText> update = new ArrayList<>(fresh);
        List<LabeledText> olderSample = replay.sample(FORGETTING_SAMPLE);
        followConfig();
        ensureTrainer(() -> {
            List<LabeledText> known = new ArrayList<>(update);
            known.addAll(replay.all());
            return known;
        }, abandoned);
        int[] passes = new int[update.size()];
        lastLoss = train(update, passes, abandoned);
        lastRead.forEach((partition, offset) -> lineage.trainedUpTo(partition, offset + 1));
        for (int i = 0; i < update.size(); i++) {
            replay.add(update.get(i), passes[i]);
        }
        fresh.clear();
        newestTrainedEventMs = Math.max(newestTrainedEventMs, newestFreshEventMs);
        newestFreshEventMs = Long.MIN_VALUE;
        lastRead.clear();
        trainedExamples += update.size();

        check(abandoned);
        Delta candidate = trainer.snapshot();
        List<LabeledText> holdoutSet = holdout.all();
        Candidate result = evaluate(candidate, holdoutSet, olderSample, update.size());
        check(abandoned);
        lastExamplesPerSecond = update.size() / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        lastHoldoutAccuracy = result.holdout().examples() > 0 ? result.holdout().accuracy() : null;
        if (!result.passes(config.gateMargin(), config.maxForgetting())) {
            log.info("Domain {}: candidate rejected (holdout {} vs champion {}, forgetting {})", domain,
                    format(result.holdout()), format(result.championHoldout()), result.forgetting());
            return Optional.empty();
        }
        return register(candidate, holdoutSet, result, System.nanoTime() - started);
    }

    /**
     * At least one pass over the new examples (in shuffled order, {@code stepsPerUpdate} steps at least), each
     * batch topped up with the replayed examples trained on least; {@code passes[i]} learns how often
     * {@code update.get(i)} was trained on.
     */
    private double train(List<LabeledText> update, int[] passes, BooleanSupplier abandoned) {
        int newPerBatch = replay.size() == 0 ? training.batchSize()
                : Math.max(1, (int) Math.round(training.batchSize() * (1 - config.replayFraction())));
        int replayPerBatch = training.batchSize() - newPerBatch;
        int steps = Math.max(config.stepsPerUpdate(), (update.size() + newPerBatch - 1) / newPerBatch);
        List<Integer> order = new ArrayList<>(update.size());
        for (int i = 0; i < update.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        double lossSum = 0;
        for (int step = 0; step < steps; step++) {
            check(abandoned);
            List<LabeledText> batch = new ArrayList<>(training.batchSize());
            IntStream.Builder before = IntStream.builder();
            for (int i = 0; i < newPerBatch; i++) {
                int index = order.get((step * newPerBatch + i) % order.size());
                batch.add(update.get(index));
                before.add(passes[index]++);
            }
            for (BalancedReservoir.Visit visit : replay.leastTrained(replayPerBatch)) {
                batch.add(visit.example());
                before.add(visit.before());
            }
            lossSum += trainer.step(batch, schedule.scale(before.build()));
        }
        return lossSum / steps;
    }

    private Candidate evaluate(Delta candidate, List<LabeledText> holdoutSet, List<LabeledText> olderSample,
                               int examplesTrained) {
        Evaluator evaluator = model.evaluator();
        Evaluation candidateHoldout = evaluator.evaluate(candidate, holdoutSet);
        Evaluation championHoldout = champion == null ? null : championOn(holdoutSet);
        double replayAccuracy = olderSample.isEmpty() ? Double.NaN : evaluator.evaluate(candidate, olderSample).accuracy();
        double championReplay = olderSample.isEmpty() || champion == null ? Double.NaN
                : evaluator.evaluate(champion, olderSample).accuracy();
        return new Candidate(candidateHoldout, championHoldout, replayAccuracy, championReplay, lastLoss,
                examplesTrained);
    }

    /**
     * The champion's scores on the holdout, computed once per champion and holdout: consolidation rounds follow
     * one another with neither changing, and scoring the champion again would cost as much as the candidate.
     */
    private Evaluation championOn(List<LabeledText> holdoutSet) {
        if (championScores == null || championScores.delta() != champion
                || !championScores.holdout().equals(holdoutSet)) {
            championScores = new ChampionScores(champion, holdoutSet, model.evaluator().evaluate(champion, holdoutSet));
        }
        return championScores.scores();
    }

    private record ChampionScores(Delta delta, List<LabeledText> holdout, Evaluation scores) {
    }

    private Optional<Integer> register(Delta candidate, List<LabeledText> holdoutSet, Candidate result,
                                       long wallNanos) {
        OptimizerState optimizer = trainer.optimizer().state();
        byte[] archive = DeltaArtifact.pack(candidate, model.encoder().fingerprint(), Optional.of(optimizer)).bytes();
        Map<String, String> hyperparameters = new LinkedHashMap<>(searchRecord);
        hyperparameters.put("learning_rate", Double.toString(training.learningRate()));
        hyperparameters.put("head_learning_rate", Double.toString(training.headLearningRate()));
        hyperparameters.put("batch_size", Integer.toString(training.batchSize()));
        hyperparameters.put("steps_total", Long.toString(trainer.steps()));
        Comparison comparison = null;
        try {
            comparison = comparison(holdoutSet, result).orElse(null);
        } catch (RuntimeException e) {
            // Without paired evidence the registry keeps production where it is; the candidate is still kept.
            log.warn("Domain {}: cannot score the production version for comparison ({}); registering without it",
                    domain, e.getMessage());
        }
        List<OffsetRange> ranges = lineage.pendingRanges();
        UploadMetadata metadata = new UploadMetadata(null, championVersion, ranges, result.metrics(), hyperparameters,
                wallNanos / 1_000_000, comparison);
        try {
            JsonNode answer = registry.upload(domain, archive, metadata);
            int version = answer.path("version").asInt();
            lineage.registered();
            champion = candidate;
            championVersion = version;
            if (answer.path("promoted").asBoolean() && newestTrainedEventMs != Long.MIN_VALUE) {
                servedNewestEventMs = newestTrainedEventMs;
            }
            log.info("Domain {}: registered version {} (holdout {}, {} examples, ranges {}); {}: {}", domain, version,
                    format(result.holdout()), result.examplesTrained(), ranges,
                    answer.path("promoted").asBoolean() ? "promoted" : "not promoted",
                    answer.path("promotionReason").asText());
            return Optional.of(version);
        } catch (RuntimeException e) {
            log.warn("Domain {}: could not register the candidate ({}); its examples stay pending", domain,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The domain's current production version scored on exactly the holdout examples the candidate
     * was scored on: the paired evidence auto promotion decides on. Empty when nothing is in
     * production yet or the holdout is empty. The loss is left out when the production version does
     * not know every label of those examples (its loss would then skip the examples it cannot score).
     */
    private Optional<Comparison> comparison(List<LabeledText> holdoutSet, Candidate result) {
        if (holdoutSet.isEmpty()) {
            return Optional.empty();
        }
        Optional<Integer> production = registry.domain(domain).flatMap(DomainTrainer::production);
        if (production.isEmpty()) {
            return Optional.empty();
        }
        int version = production.get();
        boolean isChampion = Integer.valueOf(version).equals(championVersion) && champion != null;
        Delta delta = isChampion ? champion : productionDelta(version);
        Evaluation scores = isChampion && result.championHoldout() != null ? result.championHoldout()
                : model.evaluator().evaluate(delta, holdoutSet);
        Set<String> labels = holdoutSet.stream().map(LabeledText::label).collect(Collectors.toSet());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("holdout_accuracy", scores.accuracy());
        metrics.put("holdout_macro_f1", scores.macroF1());
        if (delta.labels().containsAll(labels)) {
            metrics.put("holdout_loss", scores.loss());
        }
        return Optional.of(new Comparison(version, scores.examples(), labels.size(), metrics));
    }

    /** A production version this trainer did not make (an operator moved the alias): read from the registry once. */
    private Delta productionDelta(int version) {
        if (production == null || production.version() != version) {
            production = new VersionedDelta(version, model.version(registry, domain, version).delta());
        }
        return production.delta();
    }

    private record VersionedDelta(int version, Delta delta) {
    }

    /** The lowest offset of the partition that may be committed without losing this domain's unregistered work. */
    OptionalLong safeCommit(int partition) {
        return lineage.safeCommit(partition);
    }

    DomainStatus status() {
        return new DomainStatus(domain, championVersion, fresh.size(), replay.size(), holdout.size(), trainedExamples,
                lastLoss, lastHoldoutAccuracy, trainer == null ? 0 : trainer.steps(), null, notReady,
                lastExamplesPerSecond,
                servedNewestEventMs, replay.owed(), lineageEvent);
    }

    private DeltaTrainer trainerFrom(Delta delta, OptimizerState state) {
        TrainingGraph graph = model.training(delta.config());
        AdamW optimizer = state == null ? new AdamW(training) : new AdamW(training, state);
        return new DeltaTrainer(graph, model.tokenizer(), delta, training, optimizer);
    }

    /**
     * The domain's training settings over the defaults: {@code kind}'s own default learning rate (the general one
     * while the kind is not known yet, before a kind search), the trainer's batch size.
     */
    static TrainingConfig trainingConfig(Map<String, String> hyperparameters, int batchSize, DeltaConfig kind) {
        TrainingConfig defaults = kind == null ? TrainingConfig.defaults() : TrainingConfig.defaults(kind);
        return defaults.withBatchSize(batchSize).withSettings(hyperparameters);
    }

    private static String format(Evaluation evaluation) {
        return evaluation == null || evaluation.examples() == 0 ? "n/a"
                : String.format(java.util.Locale.ROOT, "%.3f on %d", evaluation.accuracy(), evaluation.examples());
    }
}
