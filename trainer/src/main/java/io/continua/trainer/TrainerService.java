package io.continua.trainer;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DeadLetteringDecoder;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.loop.RestartingLoop;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.HttpServers;
import io.continua.service.lifecycle.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continual trainer: a consumer group over {@code examples.accepted}. The partitions an
 * instance owns decide the domains it trains. Each domain updates its delta when enough new
 * examples arrived (or enough time passed), registers a candidate that passes its gate, and only
 * then are the partition's offsets committed, up to what every domain on it has registered.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainerService.class);
    private static final String SERVICE = "trainer";

    private final TrainerConfig config;
    private final DomainModel model;
    private final RegistryClient registry;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetteringDecoder<LabeledExample> decoder;
    private final Map<TopicPartition, Map<String, DomainTrainer>> domains = new HashMap<>();
    private final Map<String, DomainStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, ParkedDomain> parked = new ConcurrentHashMap<>();
    /** Per owned partition, the offset last committed (or found committed when it was assigned). */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Resources resources = new Resources("trainer");
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer updateTime;
    private final RestartingLoop loop;
    private final HttpServer http;
    private volatile boolean running = true;
    private volatile boolean halted;

    private TrainerService(TrainerConfig config, PretrainedEncoder encoder, Vertx vertx) {
        this.config = config;
        this.registry = new RegistryClient(config.registryUrl(), config.registryToken(), Duration.ofSeconds(60));
        try {
            resources.add("metrics", metrics::close);
            this.model = resources.add("model", new DomainModel(encoder));
            // Closed by the loop when it ends; closing it again here covers a start that fails before the loop.
            this.consumer = resources.add("consumer", new KafkaConsumer<>(config.kafka().client(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(config.sessionTimeout().toMillis()),
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000")), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()));
            KafkaProducer<String, RejectedRecord> deadLetters = resources.add("dead letters", new KafkaProducer<>(
                    config.kafka().client(Map.of(ProducerConfig.ACKS_CONFIG, "all")), new StringSerializer(),
                    RecordSerdes.rejectedRecord()));
            this.decoder = new DeadLetteringDecoder<>(RecordSerdes.labeledExample(), deadLetters,
                    config.topics().examplesRejected(), SERVICE);
            KafkaClientMetrics consumerMetrics = resources.add("consumer metrics", new KafkaClientMetrics(consumer));
            consumerMetrics.bindTo(metrics);
            metrics.gauge("continua_trainer_parked_domains", parked, Map::size);
            this.updateTime = Timer.builder("continua_trainer_update_duration")
                    .description("Wall time of one update").publishPercentiles(0.5, 0.95).register(metrics);
            consumer.subscribe(List.of(config.topics().examplesAccepted()), new Rebalance());
            // An unexpected failure never ends training: the loop is down (readiness says so), drops what it
            // holds in memory and resumes each partition from its committed offset, as after a rebalance.
            CountDownLatch stopped = new CountDownLatch(1);
            this.loop = RestartingLoop.start("trainer", this::step, this::resumeFromCommitted, consumer::wakeup,
                    () -> {
                        consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(10));
                        stopped.countDown();
                    });
            resources.add("loop", () -> {
                running = false;
                loop.close();
                stopped.await(120, TimeUnit.SECONDS);
            });
            this.http = TrainerHttpServer.start(vertx, config.host(), config.httpPort(), this);
            resources.add("http server", () -> HttpServers.close(http));
        } catch (RuntimeException | Error e) {
            resources.close();
            throw e;
        }
        log.info("Trainer reading {} as group {}; status on http://127.0.0.1:{}/v1/domains",
                config.topics().examplesAccepted(), config.groupId(), http.actualPort());
    }

    public static TrainerService start(TrainerConfig config, PretrainedEncoder encoder, Vertx vertx) {
        return new TrainerService(config, encoder, vertx);
    }

    public int httpPort() {
        return http.actualPort();
    }

    public boolean isRunning() {
        return running && loop.isUp();
    }

    public Map<String, DomainStatus> statuses() {
        return Map.copyOf(statuses);
    }

    public String scrapeMetrics() {
        return metrics.scrape();
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
    }

    private void step() {
        for (ConsumerRecord<String, LabeledExample> record : decoder.decode(consumer.poll(Duration.ofMillis(200)))) {
            accept(new TopicPartition(record.topic(), record.partition()), record);
        }
        retryParked();
        updateDueDomains();
    }

    /** After a failure: forget every partition's domains and read each again from its committed offset. */
    private void resumeFromCommitted() {
        Set<TopicPartition> assigned = consumer.assignment();
        Rebalance rebalance = new Rebalance();
        rebalance.onPartitionsRevoked(assigned);
        rebalance.onPartitionsAssigned(assigned);
    }

    /**
     * Hands a record to its domain, taking the domain over first if needed. A domain that cannot be
     * taken over is parked (see {@link ParkedDomain}): its records are skipped while the others'
     * are trained.
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
     * Tries parked domains again when their pause is over; one taken over reads its partitions again
     * from its first skipped record (the other domains there ignore what they have already read).
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
                if (consumer.assignment().contains(partition)) {
                    domains.computeIfAbsent(partition, p -> new HashMap<>()).put(domain, trainer);
                    consumer.seek(partition, Math.min(consumer.position(partition), offset));
                }
            });
            statuses.put(domain, trainer.status());
            log.info("Domain {} taken over after being parked; reading its records again", domain);
        }
    }

    private void updateDueDomains() {
        long now = System.nanoTime();
        for (Map.Entry<TopicPartition, Map<String, DomainTrainer>> entry : new ArrayList<>(domains.entrySet())) {
            boolean registered = false;
            for (DomainTrainer trainer : entry.getValue().values()) {
                boolean due = trainer.due(now);
                if (!running || !due && !trainer.consolidationDue(now)) {
                    continue;
                }
                int pending = trainer.pending();
                long started = System.nanoTime();
                Optional<Integer> version = due ? trainer.update() : trainer.consolidate();
                updateTime.record(Duration.ofNanos(System.nanoTime() - started));
                String domain = trainer.status().domain();
                counter("continua_trainer_updates", domain).increment();
                counter("continua_trainer_examples_trained", domain).increment(pending);
                version.ifPresent(v -> counter("continua_trainer_versions_registered", domain).increment());
                registered |= version.isPresent();
                statuses.put(domain, trainer.status());
            }
            if (registered && running && !halted) {
                commit(entry.getKey());
            }
        }
    }

    /**
     * Commits the partition up to what every domain on it has registered (never beyond), and never
     * below what is already committed: everything there is registered, though a domain parked since
     * the partition was assigned may have skipped records below it while the window was read again.
     */
    private void commit(TopicPartition partition) {
        long safe = consumer.position(partition);
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
        safe = Math.max(safe, committed.getOrDefault(partition, 0L));
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(safe)));
        committed.put(partition, safe);
        log.debug("Committed {} at {}", partition, safe);
    }

    private Counter counter(String name, String domain) {
        return metrics.counter(name, "domain", domain);
    }

    /** Revoked partitions lose their domains' unregistered work (the next owner redoes it); assigned ones rebuild. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(partition -> {
                parked.values().forEach(parking -> parking.forget(partition));
                committed.remove(partition);
                Map<String, DomainTrainer> dropped = domains.remove(partition);
                if (dropped != null) {
                    dropped.keySet().forEach(statuses::remove);
                    log.info("Released {} with domains {}", partition, dropped.keySet());
                }
            });
            // A parked domain with no skipped record left on this instance's partitions is not its concern.
            parked.values().removeIf(parking -> {
                boolean released = parking.skipsNothing();
                if (released) {
                    statuses.remove(parking.domain());
                }
                return released;
            });
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> found = consumer.committed(Set.copyOf(partitions));
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = found.get(partition);
                long start = offset == null ? beginnings.get(partition)
                        : Math.max(beginnings.get(partition), offset.offset() - config.rebuildLookback());
                consumer.seek(partition, start);
                committed.put(partition, offset == null ? beginnings.get(partition) : offset.offset());
                log.info("Assigned {}: reading from {} (committed {})", partition, start,
                        offset == null ? "none" : offset.offset());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    /**
     * Stops like a crash would: nothing more is committed and nothing is flushed; the update in
     * flight, if any, is abandoned at its next step boundary. (Unlike a killed process, the consumer
     * still says goodbye to its group, so a successor does not wait out the session timeout.)
     */
    public void halt() {
        halted = true;
        resources.close();
    }

    /** Stops after the update in flight (if any) finishes; commits nothing beyond what is registered. */
    @Override
    public void close() {
        resources.close();
        log.info("Trainer stopped");
    }
}
