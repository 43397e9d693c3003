package io.continua.trainer;

import io.continua.schemas.LabeledExample;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.loop.RestartingLoop;
import io.continua.schemas.registry.RegistryClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the domains live and learn, on a thread of its own apart from the Kafka poll loop: taking a domain over,
 * training, evaluating and registering never hold up polling, so a long update neither stalls the stream nor
 * costs the trainer its group membership. The poll loop hands over each partition's records in order
 * ({@link #offer}); the worker asks the poll loop, the only thread that may touch the consumer, for what it needs
 * of it ({@link ConsumerRequests}): commits up to what is registered, and seeks. Domain state is touched by the
 * worker thread alone.
 */
final class TrainingWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingWorker.class);
    private static final long IDLE_WAIT_MS = 100;
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(60);

    /** What the poll loop hands the worker, in the order it polled. */
    sealed interface Inbound {
    }

    /** One partition's records from one poll; {@code nextOffset} is past every record polled, dead letters too. */
    record Batch(TopicPartition partition, List<ConsumerRecord<String, LabeledExample>> records, long nextOffset)
            implements Inbound {
    }

    /** The partitions left this instance: their domains are dropped (their unregistered work redone elsewhere). */
    record Revoked(Collection<TopicPartition> partitions, CountDownLatch done) implements Inbound {
    }

    /** The poll loop moved the partition's position as asked: its records from here on are read again. */
    record Seeked(TopicPartition partition) implements Inbound {
    }

    /** What the worker asks of the poll loop. */
    interface ConsumerRequests {
        /** Commit the partition up to {@code offset} (never below what is committed). */
        void commit(TopicPartition partition, long offset);

        /** Read the partition again from {@code offset}, then offer {@link Seeked}. */
        void seek(TopicPartition partition, long offset);

        /** After a failure of the worker: read every partition again from its committed offset. */
        void rewindAll();
    }

    private final TrainerConfig config;
    private final DomainModel model;
    private final RegistryClient registry;
    private final ConsumerRequests consumer;
    private final Map<String, DomainStatus> statuses;
    private final MeterRegistry metrics;
    private final Timer updateTime;
    private final LinkedBlockingQueue<Inbound> inbound = new LinkedBlockingQueue<>();
    /** Records offered but not yet handled, per partition: the poll loop pauses a partition with too many. */
    private final Map<TopicPartition, AtomicInteger> buffered = new ConcurrentHashMap<>();
    /** Partitions being revoked: an update of their domains is abandoned at its next step. */
    private final Set<TopicPartition> revoking = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Map<String, DomainTrainer>> domains = new HashMap<>();
    private final Map<String, ParkedDomain> parked = new HashMap<>();
    /** Per partition: past the last record handled (the worker's view of the position). */
    private final Map<TopicPartition, Long> handledUntil = new HashMap<>();
    /** Partitions whose records are dropped until the seek asked for is done. */
    private final Set<TopicPartition> discarding = new HashSet<>();
    private final RestartingLoop loop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    /** After a failure: every record is dropped until the poll loop has revoked and reassigned. */
    private boolean discardAll;
    /** No domain was due last time: the next step may wait for records. */
    private boolean idle = true;

    TrainingWorker(TrainerConfig config, DomainModel model, RegistryClient registry, ConsumerRequests consumer,
                   Map<String, DomainStatus> statuses, MeterRegistry metrics) {
        this.config = config;
        this.model = model;
        this.registry = registry;
        this.consumer = consumer;
        this.statuses = statuses;
        this.metrics = metrics;
        this.updateTime = Timer.builder("continua_trainer_update_duration").description("Wall time of one update")
                .publishPercentiles(0.5, 0.95).register(metrics);
        metrics.gauge("continua_trainer_parked_domains", statuses,
                all -> all.values().stream().filter(status -> status.parked() != null).count());
        metrics.gauge("continua_trainer_buffered_records", buffered,
                all -> all.values().stream().mapToInt(AtomicInteger::get).sum());
        // A failure never ends training: the worker drops what it holds and has every partition read again from
        // its committed offset, as after a rebalance.
        // A step waits at most IDLE_WAIT_MS for records, so closing needs no wake-up.
        this.loop = RestartingLoop.start("trainer-worker", this::step, this::recover, () -> { },
                stopped::countDown);
    }

    /** From the poll loop: hands over records (in poll order); returns how many of the partition's are waiting. */
    int offer(Batch batch) {
        int waiting = buffered.computeIfAbsent(batch.partition(), partition -> new AtomicInteger())
                .addAndGet(batch.records().size());
        inbound.add(batch);
        return waiting;
    }

    /** From the poll loop: records of the partition offered and not yet handled. */
    int buffered(TopicPartition partition) {
        AtomicInteger waiting = buffered.get(partition);
        return waiting == null ? 0 : waiting.get();
    }

    /** From the poll loop: the seek asked for is done. */
    void seeked(TopicPartition partition) {
        inbound.add(new Seeked(partition));
    }

    /**
     * From the poll loop, as partitions leave: the worker drops their domains (abandoning an update of theirs in
     * flight at its next step) before the poll loop goes on, so no version is registered for a partition another
     * trainer may own already.
     */
    void revoke(Collection<TopicPartition> partitions) throws InterruptedException {
        if (partitions.isEmpty()) {
            return;
        }
        revoking.addAll(partitions);
        CountDownLatch done = new CountDownLatch(1);
        inbound.add(new Revoked(List.copyOf(partitions), done));
        if (loop.isUp() && !closing && !done.await(REVOKE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("The worker did not release {} within {}", partitions, REVOKE_WAIT);
        }
    }

    boolean isUp() {
        return !closing && loop.isUp();
    }

    private void step() throws InterruptedException {
        Inbound next = inbound.poll(idle ? IDLE_WAIT_MS : 0, TimeUnit.MILLISECONDS);
        while (next != null) {
            handle(next);
            next = inbound.poll();
        }
        retryParked();
        idle = !updateOne();
    }

    private void handle(Inbound item) {
        if (item instanceof Batch batch) {
            buffered.get(batch.partition()).addAndGet(-batch.records().size());
            if (discardAll || discarding.contains(batch.partition())) {
                return;
            }
            batch.records().forEach(record -> accept(batch.partition(), record));
            handledUntil.put(batch.partition(), batch.nextOffset());
        } else if (item instanceof Revoked revoked) {
            revoked.partitions().forEach(this::release);
            // A parked domain with no skipped record left on this instance's partitions is not its concern.
            parked.values().removeIf(parking -> {
                boolean released = parking.skipsNothing();
                if (released) {
                    statuses.remove(parking.domain());
                }
                return released;
            });
            revoking.removeAll(revoked.partitions());
            discardAll = false;
            revoked.done().countDown();
        } else if (item instanceof Seeked seeked) {
            discarding.remove(seeked.partition());
        }
    }

    private void release(TopicPartition partition) {
        parked.values().forEach(parking -> parking.forget(partition));
        handledUntil.remove(partition);
        discarding.remove(partition);
        Map<String, DomainTrainer> dropped = domains.remove(partition);
        if (dropped != null) {
            dropped.keySet().forEach(statuses::remove);
            log.info("Released {} with domains {}", partition, dropped.keySet());
        }
    }

    /**
     * Hands a record to its domain, taking the domain over first if needed. A domain that cannot be taken over is
     * parked (see {@link ParkedDomain}): its records are skipped while the others' are trained.
     */
    private void accept(TopicPartition partition, ConsumerRecord<String, LabeledExample> record) {
        String domain = record.value().getDomain();
        if (!DomainNames.isValid(domain)) {
            return;
        }
        ParkedDomain parking = parked.get(domain);
        if (parking != null) {
            parking.skip(partition, record.offset());
            statuses.put(domain, parking.status());
            return;
        }
        Map<String, DomainTrainer> owned = domains.computeIfAbsent(partition, p -> new HashMap<>());
        DomainTrainer trainer = owned.get(domain);
        if (trainer == null) {
            try {
                trainer = takeOver(domain);
            } catch (RuntimeException e) {
                ParkedDomain newlyParked = new ParkedDomain(domain, e.getMessage(), System.nanoTime());
                newlyParked.skip(partition, record.offset());
                parked.put(domain, newlyParked);
                statuses.put(domain, newlyParked.status());
                log.warn("Parked domain {}: cannot take it over ({}); the other domains on {} keep training", domain,
                        e.getMessage(), partition);
                return;
            }
            owned.put(domain, trainer);
        }
        if (trainer.accept(record)) {
            counter("continua_trainer_examples_consumed", domain).increment();
            statuses.put(domain, trainer.status());
        }
    }

    private DomainTrainer takeOver(String domain) {
        DomainTrainer trainer = new DomainTrainer(domain, model, config, registry,
                DomainRestore.fetch(registry, domain, config.topics().examplesAccepted(), model));
        registerGauges(domain);
        return trainer;
    }

    /**
     * Tries parked domains again when their pause is over; one taken over has its partitions read again from its
     * first skipped record (the other domains there ignore what they have already read).
     */
    private void retryParked() {
        long now = System.nanoTime();
        for (ParkedDomain parking : List.copyOf(parked.values())) {
            if (!parking.retryDue(now)) {
                continue;
            }
            String domain = parking.domain();
            DomainTrainer trainer;
            try {
                trainer = takeOver(domain);
            } catch (RuntimeException e) {
                parking.failedAgain(e.getMessage(), now);
                statuses.put(domain, parking.status());
                log.warn("Domain {} stays parked: {}", domain, e.getMessage());
                continue;
            }
            parked.remove(domain);
            parking.firstSkipped().forEach((partition, offset) -> {
                domains.computeIfAbsent(partition, p -> new HashMap<>()).put(domain, trainer);
                // Records already offered past the seek point are read again after it.
                discarding.add(partition);
                consumer.seek(partition, offset);
            });
            statuses.put(domain, trainer.status());
            log.info("Domain {} taken over after being parked; reading its records again", domain);
        }
    }

    /**
     * Runs the update of the domain that has waited longest among those with new examples due, else the
     * consolidation round of the one that has waited longest among those with training still owed: new examples
     * reach service before old ones are refined, and a busy domain cannot starve a quiet one. Then, if a version
     * was registered, asks for its partition's commit.
     * Returns whether a domain was due.
     */
    private boolean updateOne() {
        long now = System.nanoTime();
        Optional<Next> next = domains.entrySet().stream()
                .flatMap(owned -> owned.getValue().values().stream()
                        .map(trainer -> new Next(owned.getKey(), trainer, trainer.work(now))))
                .filter(candidate -> candidate.work() != DomainTrainer.Work.NONE)
                .min(Comparator.comparing((Next candidate) -> candidate.work() != DomainTrainer.Work.UPDATE)
                        .thenComparingLong(candidate -> candidate.trainer().lastRoundNanos()));
        if (next.isEmpty()) {
            return false;
        }
        TopicPartition partition = next.get().partition();
        DomainTrainer trainer = next.get().trainer();
        boolean due = next.get().work() == DomainTrainer.Work.UPDATE;
        int pending = trainer.pending();
        String domain = trainer.status().domain();
        long started = System.nanoTime();
        Optional<Integer> version;
        try {
            version = due ? trainer.update(() -> abandoned(partition)) : trainer.consolidate(() -> abandoned(partition));
        } catch (DomainTrainer.UpdateAbandoned e) {
            log.info("Domain {}: update abandoned ({} is leaving or the trainer stops)", domain, partition);
            return true;
        } catch (DomainTrainer.NotReady e) {
            statuses.put(domain, trainer.status());
            return true;
        }
        updateTime.record(Duration.ofNanos(System.nanoTime() - started));
        counter("continua_trainer_updates", domain).increment();
        counter("continua_trainer_examples_trained", domain).increment(due ? pending : 0);
        statuses.put(domain, trainer.status());
        if (version.isPresent()) {
            counter("continua_trainer_versions_registered", domain).increment();
            consumer.commit(partition, safeCommit(partition));
        }
        return true;
    }

    /** A domain with something to do, on its partition. */
    private record Next(TopicPartition partition, DomainTrainer trainer, DomainTrainer.Work work) {
    }

    private boolean abandoned(TopicPartition partition) {
        return closing || revoking.contains(partition);
    }

    /**
     * Up to what the partition may be committed: what every domain on it has registered, never past a record
     * a parked domain skipped, never past what was handled.
     */
    private long safeCommit(TopicPartition partition) {
        long safe = handledUntil.getOrDefault(partition, 0L);
        for (ParkedDomain parking : parked.values()) {
            Long skipped = parking.firstSkipped(partition);
            if (skipped != null) {
                safe = Math.min(safe, skipped);
            }
        }
        for (DomainTrainer trainer : domains.getOrDefault(partition, Map.of()).values()) {
            OptionalLong domainSafe = trainer.safeCommit(partition.partition());
            if (domainSafe.isPresent()) {
                safe = Math.min(safe, domainSafe.getAsLong());
            }
        }
        return safe;
    }

    /** After a failed step: drop every domain and have every partition read again from its committed offset. */
    private void recover() {
        domains.clear();
        parked.clear();
        handledUntil.clear();
        discarding.clear();
        statuses.clear();
        discardAll = true;
        consumer.rewindAll();
    }

    /** Gauges that read a domain's latest status; registered once, when the domain is taken over. */
    private void registerGauges(String domain) {
        Tags tags = Tags.of("domain", domain);
        metrics.gauge("continua_trainer_pending_examples", tags, statuses,
                all -> Optional.ofNullable(all.get(domain)).map(DomainStatus::pending).orElse(0));
        metrics.gauge("continua_trainer_holdout_accuracy", tags, statuses,
                all -> Optional.ofNullable(all.get(domain)).map(DomainStatus::holdoutAccuracy).orElse(Double.NaN));
        metrics.gauge("continua_trainer_loss", tags, statuses,
                all -> Optional.ofNullable(all.get(domain)).map(DomainStatus::lastLoss).orElse(Double.NaN));
        metrics.gauge("continua_trainer_examples_per_second", tags, statuses,
                all -> Optional.ofNullable(all.get(domain)).map(DomainStatus::examplesPerSecond).orElse(Double.NaN));
        metrics.gauge("continua_trainer_freshness_seconds", tags, statuses,
                all -> Optional.ofNullable(all.get(domain))
                        .map(status -> status.freshnessSeconds(System.currentTimeMillis())).orElse(Double.NaN));
    }

    private Counter counter(String name, String domain) {
        return metrics.counter(name, "domain", domain);
    }

    /**
     * Stops: an update in flight is abandoned at its next step (not registered; its examples stay pending), and
     * this returns once the worker's thread is done with the model.
     */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        loop.close();
        stopped.await(120, TimeUnit.SECONDS);
    }
}
