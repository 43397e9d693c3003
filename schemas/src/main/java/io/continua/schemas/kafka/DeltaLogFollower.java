package io.continua.schemas.kafka;

import io.continua.schemas.loop.RestartingLoop;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code deltas} topic from its beginning (committed records only) and then follows it,
 * handing every record to the consumer it was given, on its own thread, in log order: the
 * registry rebuilds its view this way, and every serving replica learns of new versions and alias
 * moves. {@link #awaitCaughtUp} returns once what was
 * in the topic at start has been applied: the view is then complete.
 */
public final class DeltaLogFollower implements AutoCloseable, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(DeltaLogFollower.class);
    /** The dead-letter reason of records whose signature is missing or wrong. */
    public static final String UNTRUSTED = "untrusted";

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final BiConsumer<String, SpecificRecord> apply;
    private final DeltaLogSignatures signatures;
    private final Refusals refusals;
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong untrusted = new AtomicLong();
    /** The next offset to apply per partition: where a retry starts, and what writers wait for. */
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    /** Notified after every batch applied: writers wait on it for their offsets. */
    private final Object progress = new Object();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** The end offsets when following started: reaching them means the view is complete. Loop thread only. */
    private Map<TopicPartition, Long> end;
    private final RestartingLoop loop;

    /**
     * @param signatures records that do not verify under these are skipped, logged and counted,
     *                   never applied ({@link DeltaLogSignatures#NONE}: every record is applied)
     * @param refusals   also hears of every record skipped: unsigned, wrongly signed, or unreadable
     *                   (a malformed key, undecodable bytes, a record under another record's key)
     */
    public DeltaLogFollower(KafkaConnection kafka, String topic, DeltaLogSignatures signatures, Refusals refusals,
                            BiConsumer<String, SpecificRecord> apply) {
        this.topic = topic;
        this.apply = apply;
        this.signatures = signatures;
        this.refusals = refusals;
        this.consumer = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(), new ByteArrayDeserializer());
        // A failure (broker unreachable at start, an applier that throws) never ends following: the loop
        // is down (readiness says so), rewinds to the first record not applied, and retries with backoff.
        this.loop = RestartingLoop.start("deltas-tail-" + topic, this::step, this::rewind, consumer::wakeup,
                consumer::close);
    }

    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Did not finish reading " + topic + " within " + timeout);
        }
    }

    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** One turn of the loop: assign on the first, then apply what the next poll brings. */
    private void step() {
        if (end == null) {
            end = assignFromBeginning();
        }
        applyNextBatch();
    }

    private Map<TopicPartition, Long> assignFromBeginning() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer.endOffsets(partitions);
    }

    private void applyNextBatch() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (trusted(record)) {
                decode(record).ifPresent(value -> apply.accept(record.key(), value));
            }
            applied.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        if (caughtUp.getCount() > 0 && end.entrySet().stream()
                .allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue())) {
            log.info("Read {} to its end (records {}; {} ignored as untrusted)", topic, signatures,
                    untrusted.get());
            caughtUp.countDown();
        }
    }

    /** Back to the first record not applied on every partition: a failed batch is read again from there. */
    private void rewind() {
        for (TopicPartition partition : consumer.assignment()) {
            Long next = applied.get(partition);
            if (next == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, next);
            }
        }
    }

    /**
     * Waits until every record up to these offsets (the last one written per partition) has been
     * handed to the applier: a writer that appended them then sees its change, applied once, in log
     * order. Returns whether it happened within the timeout.
     */
    public boolean awaitApplied(Map<TopicPartition, Long> lastOffsets, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!lastOffsets.entrySet().stream()
                    .allMatch(entry -> applied.getOrDefault(entry.getKey(), 0L) > entry.getValue())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Whether the follower is applying the log now (false while it retries after a failure). */
    public boolean isFollowing() {
        return loop.isUp();
    }

    /** Failures the follower recovered from (or is retrying). */
    public long failures() {
        return loop.failures();
    }

    /** Records not written by the registry change nothing; each one is an event an operator must hear of. */
    private boolean trusted(ConsumerRecord<String, byte[]> record) {
        Optional<String> distrust = signatures.distrust(topic, record.key(), record.value(), record.headers());
        distrust.ifPresent(reason -> {
            untrusted.incrementAndGet();
            log.warn("Ignoring record {} at {}-{}@{}: {} (not written by the registry)", record.key(), topic,
                    record.partition(), record.offset(), reason);
            refusals.refuse(record, UNTRUSTED, reason + ": not written by the registry");
        });
        return distrust.isEmpty();
    }

    /** What an operator alerts on: records not written by the registry, and failures the follower retries after. */
    @Override
    public void bindTo(MeterRegistry metrics) {
        FunctionCounter.builder("continua_deltas_untrusted_records", this, DeltaLogFollower::untrustedRecords)
                .description("Records of the deltas log ignored because their signature is missing or wrong")
                .register(metrics);
        FunctionCounter.builder("continua_deltas_unreadable_records", this, follower -> follower.unreadable.get())
                .description("Records of the deltas log skipped: malformed key, undecodable, or under another's key")
                .register(metrics);
        FunctionCounter.builder("continua_deltas_follower_failures", this, DeltaLogFollower::failures)
                .description("Failures the deltas log follower retried after (not ready while it retries)")
                .register(metrics);
    }

    /** Records ignored because their signature was missing or wrong. */
    public long untrustedRecords() {
        return untrusted.get();
    }

    private Optional<SpecificRecord> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return DeltaLog.decode(topic, record.key(), record.value());
        } catch (DeltaLog.Unreadable e) {
            unreadable.incrementAndGet();
            log.error("Skipping record {} at {}-{}@{}: {} ({})", record.key(), topic, record.partition(),
                    record.offset(), e.reason(), e.getMessage());
            refusals.refuse(record, e.reason(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Where records that are never applied go besides the log (the registry writer dead-letters them). */
    @FunctionalInterface
    public interface Refusals {
        /** Logged and counted by the follower only. */
        Refusals NONE = (record, reason, detail) -> { };

        void refuse(ConsumerRecord<String, byte[]> record, String reason, String detail);
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
    }
}
