package io.continua.trainer;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DeadLetteringDecoder;
import io.continua.schemas.loop.RestartingLoop;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.HttpServers;
import io.continua.service.lifecycle.Resources;
import io.micrometer.core.instrument.Counter;
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
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 * The continual trainer: a consumer group over {@code examples.accepted}. The partitions an instance owns decide
 * the domains it trains. Its poll loop only polls, hands each partition's records to the {@link TrainingWorker},
 * pauses a partition whose records wait there in numbers and resumes it as they drain, and commits what the
 * worker says is registered; the worker trains, gates and registers, so an update of any length never holds up
 * polling. Offsets are committed only up to what every domain on a partition has registered.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainerService.class);
    private static final String SERVICE = "trainer";

    private final TrainerConfig config;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetteringDecoder<LabeledExample> decoder;
    private final Map<String, DomainStatus> statuses = new ConcurrentHashMap<>();
    /** Per owned partition, the offset last committed (or found committed when it was assigned). */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** What the worker asked of the consumer, run by the poll loop (the consumer is not thread-safe). */
    private final Queue<Runnable> consumerTasks = new ConcurrentLinkedQueue<>();
    private final Resources resources = new Resources("trainer");
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter assignments;
    private final RestartingLoop loop;
    private final TrainingWorker worker;
    private final HttpServer http;
    private volatile boolean running = true;
    private volatile boolean halted;

    private TrainerService(TrainerConfig config, PretrainedEncoder encoder, Vertx vertx) {
        this.config = config;
        RegistryClient registry = new RegistryClient(config.registryUrl(), config.registryToken(),
                Duration.ofSeconds(60));
        try {
            resources.add("metrics", metrics::close);
            DomainModel model = resources.add("model", new DomainModel(encoder));
            // Closed by the loop when it ends; closing it again here covers a start that fails before the loop.
            this.consumer = resources.add("consumer", new KafkaConsumer<>(config.kafka().client(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(config.sessionTimeout().toMillis()),
                    ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(config.maxPollInterval().toMillis()),
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000")), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()));
            KafkaProducer<String, RejectedRecord> deadLetters = resources.add("dead letters", new KafkaProducer<>(
                    config.kafka().client(Map.of(ProducerConfig.ACKS_CONFIG, "all")), new StringSerializer(),
                    RecordSerdes.rejectedRecord()));
            this.decoder = new DeadLetteringDecoder<>(RecordSerdes.labeledExample(), deadLetters,
                    config.topics().examplesRejected(), SERVICE);
            KafkaClientMetrics consumerMetrics = resources.add("consumer metrics", new KafkaClientMetrics(consumer));
            consumerMetrics.bindTo(metrics);
            this.assignments = Counter.builder("continua_trainer_partitions_assigned")
                    .description("Partitions this member was given (each rebalance that gives it some counts)")
                    .register(metrics);
            consumer.subscribe(List.of(config.topics().examplesAccepted()), new Rebalance());
            this.worker = resources.add("worker", new TrainingWorker(config, model, registry, new ConsumerRequests(),
                    statuses, metrics));
            // An unexpected failure never ends polling: the loop is down (readiness says so), has the worker drop
            // what it holds and resumes each partition from its committed offset, as after a rebalance.
            CountDownLatch stopped = new CountDownLatch(1);
            this.loop = RestartingLoop.start("trainer", this::step, this::resumeFromCommitted, consumer::wakeup,
                    () -> {
                        if (!halted) {
                            // What the worker registered before it stopped is committed before leaving.
                            runConsumerTasks();
                        }
                        consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(10));
                        stopped.countDown();
                    });
            resources.add("loop", () -> {
                running = false;
                // The worker stops first: leaving the group then revokes without waiting for an update.
                worker.close();
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
        return running && loop.isUp() && worker.isUp();
    }

    public Map<String, DomainStatus> statuses() {
        return Map.copyOf(statuses);
    }

    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** One turn of the poll loop: what the worker asked for, then a poll whose records go to the worker. */
    private void step() {
        runConsumerTasks();
        resumeDrained();
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
        if (polled.isEmpty()) {
            return;
        }
        Map<TopicPartition, List<ConsumerRecord<String, LabeledExample>>> decoded = new HashMap<>();
        for (ConsumerRecord<String, LabeledExample> record : decoder.decode(polled)) {
            decoded.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>())
                    .add(record);
        }
        for (TopicPartition partition : polled.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> raw = polled.records(partition);
            long next = raw.get(raw.size() - 1).offset() + 1;
            int waiting = worker.offer(new TrainingWorker.Batch(partition,
                    decoded.getOrDefault(partition, List.of()), next));
            if (waiting > config.maxBufferedRecords() && !consumer.paused().contains(partition)) {
                consumer.pause(Set.of(partition));
                log.info("Paused {}: {} records wait for the worker", partition, waiting);
            }
        }
    }

    private void runConsumerTasks() {
        for (Runnable task = consumerTasks.poll(); task != null; task = consumerTasks.poll()) {
            task.run();
        }
    }

    /** Resumes paused partitions whose waiting records have drained to half the limit. */
    private void resumeDrained() {
        for (TopicPartition partition : consumer.paused()) {
            if (worker.buffered(partition) <= config.maxBufferedRecords() / 2) {
                consumer.resume(Set.of(partition));
                log.info("Resumed {}", partition);
            }
        }
    }

    /** After a failure: the worker forgets every partition's domains, each is read again from its committed offset. */
    private void resumeFromCommitted() {
        Set<TopicPartition> assigned = consumer.assignment();
        Rebalance rebalance = new Rebalance();
        rebalance.onPartitionsRevoked(assigned);
        rebalance.onPartitionsAssigned(assigned);
    }

    /**
     * Commits the partition up to what the worker found safe, never below what is already committed (everything
     * there is registered), and never once the trainer halts or the partition is gone.
     */
    private void commit(TopicPartition partition, long safe) {
        if (halted || !consumer.assignment().contains(partition)) {
            return;
        }
        long offset = Math.max(safe, committed.getOrDefault(partition, 0L));
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset)));
        committed.put(partition, offset);
        log.debug("Committed {} at {}", partition, offset);
    }

    /** The worker's requests, queued for the poll loop. */
    private final class ConsumerRequests implements TrainingWorker.ConsumerRequests {
        @Override
        public void commit(TopicPartition partition, long offset) {
            consumerTasks.add(() -> TrainerService.this.commit(partition, offset));
        }

        @Override
        public void seek(TopicPartition partition, long offset) {
            consumerTasks.add(() -> {
                if (consumer.assignment().contains(partition)) {
                    consumer.seek(partition, Math.min(consumer.position(partition), offset));
                }
                worker.seeked(partition);
            });
        }

        @Override
        public void rewindAll() {
            consumerTasks.add(TrainerService.this::resumeFromCommitted);
        }
    }

    /** Revoked partitions lose their domains' unregistered work (the next owner redoes it); assigned ones rebuild. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(committed::remove);
            try {
                worker.revoke(partitions);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                assignments.increment(partitions.size());
            }
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

    /** Stops: the update in flight (if any) is abandoned at its next step; commits nothing beyond what is registered. */
    @Override
    public void close() {
        resources.close();
        log.info("Trainer stopped");
    }
}
