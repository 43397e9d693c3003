package io.continua.trainer;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DeadLetteringDecoder;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.continua.service.HttpServers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
import org.apache.kafka.common.errors.WakeupException;
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
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(5);

    private final TrainerConfig config;
    private final DomainModel model;
    private final RegistryClient registry;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, RejectedRecord> deadLetters;
    private final DeadLetteringDecoder<LabeledExample> decoder;
    private final Map<TopicPartition, Map<String, DomainTrainer>> domains = new HashMap<>();
    private final Map<String, DomainStatus> statuses = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> paused = new HashMap<>();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaClientMetrics consumerMetrics;
    private final Timer updateTime;
    private final Thread thread;
    private final HttpServer http;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean halted;

    private TrainerService(TrainerConfig config, PretrainedEncoder encoder, Vertx vertx) {
        this.config = config;
        this.model = new DomainModel(encoder);
        this.registry = new RegistryClient(config.registryUrl(), config.registryToken(), Duration.ofSeconds(60));
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(config.sessionTimeout().toMillis()),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                RecordSerdes.rejectedRecord());
        this.decoder = new DeadLetteringDecoder<>(RecordSerdes.labeledExample(), deadLetters,
                config.topics().examplesRejected(), SERVICE);
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(metrics);
        this.updateTime = Timer.builder("continua_trainer_update_duration").description("Wall time of one update")
                .publishPercentiles(0.5, 0.95).register(metrics);
        consumer.subscribe(List.of(config.topics().examplesAccepted()), new Rebalance());
        this.thread = new Thread(this::run, "trainer");
        thread.start();
        this.http = TrainerHttpServer.start(vertx, config.host(), config.httpPort(), this);
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
        return running && thread.isAlive();
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

    private void run() {
        try {
            while (running) {
                Set<TopicPartition> rewound = new HashSet<>();
                for (ConsumerRecord<String, LabeledExample> record : decoder.decode(consumer.poll(Duration.ofMillis(200)))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (!rewound.contains(partition) && !accept(partition, record)) {
                        rewound.add(partition);
                    }
                }
                resumePaused();
                updateDueDomains();
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("Trainer woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("Trainer stopped", e);
        } finally {
            consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(10));
            stopped.countDown();
        }
    }

    /**
     * Hands a record to its domain, taking the domain over first if needed. If the registry cannot
     * say where the domain stands, the partition is rewound to this record and paused for a while;
     * returns false then, and the rest of the batch for that partition is skipped (it is read again).
     */
    private boolean accept(TopicPartition partition, ConsumerRecord<String, LabeledExample> record) {
        String domain = record.value().getDomain();
        if (!DomainNames.isValid(domain)) {
            return true;
        }
        Map<String, DomainTrainer> owned = domains.computeIfAbsent(partition, p -> new HashMap<>());
        DomainTrainer trainer = owned.get(domain);
        if (trainer == null) {
            try {
                trainer = new DomainTrainer(domain, model, config, registry,
                        DomainRestore.fetch(registry, domain, config.topics().examplesAccepted(), model));
            } catch (RuntimeException e) {
                log.warn("Cannot take over domain {} ({}); pausing {} for {} s", domain, e.getMessage(), partition,
                        RETRY_PAUSE.toSeconds());
                consumer.seek(partition, record.offset());
                consumer.pause(List.of(partition));
                paused.put(partition, System.nanoTime() + RETRY_PAUSE.toNanos());
                return false;
            }
            owned.put(domain, trainer);
            registerGauges(domain);
        }
        trainer.accept(record);
        counter("continua_trainer_examples_consumed", domain).increment();
        statuses.put(domain, trainer.status());
        return true;
    }

    private void resumePaused() {
        long now = System.nanoTime();
        List<TopicPartition> ready = paused.entrySet().stream().filter(entry -> entry.getValue() <= now)
                .map(Map.Entry::getKey).toList();
        if (!ready.isEmpty()) {
            ready.forEach(paused::remove);
            consumer.resume(ready.stream().filter(consumer.assignment()::contains).toList());
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

    /** Commits the partition up to what every domain on it has registered (never beyond). */
    private void commit(TopicPartition partition) {
        long safe = consumer.position(partition);
        for (DomainTrainer trainer : domains.getOrDefault(partition, Map.of()).values()) {
            OptionalLong domainSafe = trainer.safeCommit(partition.partition());
            if (domainSafe.isPresent()) {
                safe = Math.min(safe, domainSafe.getAsLong());
            }
        }
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(safe)));
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
                paused.remove(partition);
                Map<String, DomainTrainer> dropped = domains.remove(partition);
                if (dropped != null) {
                    dropped.keySet().forEach(statuses::remove);
                    log.info("Released {} with domains {}", partition, dropped.keySet());
                }
            });
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(java.util.Set.copyOf(partitions));
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                long start = offset == null ? beginnings.get(partition)
                        : Math.max(beginnings.get(partition), offset.offset() - config.rebuildLookback());
                consumer.seek(partition, start);
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
    public void halt() throws InterruptedException {
        HttpServers.close(http);
        halted = true;
        running = false;
        consumer.wakeup();
        stopped.await(60, TimeUnit.SECONDS);
        model.close();
    }

    /** Stops after the update in flight (if any) finishes; commits nothing beyond what is registered. */
    @Override
    public void close() throws InterruptedException {
        HttpServers.close(http);
        running = false;
        consumer.wakeup();
        stopped.await(120, TimeUnit.SECONDS);
        deadLetters.close();
        consumerMetrics.close();
        model.close();
        metrics.close();
        log.info("Trainer stopped");
    }
}
