package io.continua.schemas.kafka;

import io.continua.schemas.loop.RestartingLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic the registry writes from its beginning (committed records only) and then follows
 * it, on its own thread, handing every record whose signature verifies to a handler, in log order.
 * {@link #awaitCaughtUp} returns once what was in the topic at start has been handled; writers wait
 * with {@link #awaitApplied} for what they appended. Records that do not verify are logged, counted
 * and refused, never handled. A failure (the broker unreachable at start, a handler that throws)
 * never ends following: the follower is down, rewinds to the first record not handled, and retries
 * with backoff.
 */
public final class SignedTopicFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignedTopicFollower.class);
    /** The dead-letter reason of records whose signature is missing or wrong. */
    public static final String UNTRUSTED = "untrusted";

    /** Where records that are never handled go besides the log (the registry writer dead-letters them). */
    @FunctionalInterface
    public interface Refusals {
        /** Logged and counted by the follower only. */
        Refusals NONE = (record, reason, detail) -> { };

        void refuse(ConsumerRecord<String, byte[]> record, String reason, String detail);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final DeltaLogSignatures signatures;
    private final Refusals refusals;
    private final Consumer<ConsumerRecord<String, byte[]>> handler;
    private final AtomicLong untrusted = new AtomicLong();
    /** The next offset to handle per partition: where a retry starts, and what writers wait for. */
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    /** Notified after every batch handled: writers wait on it for their offsets. */
    private final Object progress = new Object();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** The end offsets when following started: reaching them means the view is complete. Loop thread only. */
    private Map<TopicPartition, Long> end;
    private final RestartingLoop loop;

    /**
     * @param signatures records that do not verify under these are skipped ({@link DeltaLogSignatures#NONE}:
     *                   every record is handled)
     * @param refusals   hears of every record skipped as untrusted (and of those the handler refuses)
     */
    public SignedTopicFollower(KafkaConnection kafka, String topic, DeltaLogSignatures signatures, Refusals refusals,
                               Consumer<ConsumerRecord<String, byte[]>> handler) {
        this.topic = topic;
        this.signatures = signatures;
        this.refusals = refusals;
        this.handler = handler;
        this.consumer = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(), new ByteArrayDeserializer());
        this.loop = RestartingLoop.start("follow-" + topic, this::step, this::rewind, consumer::wakeup,
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

    /** One turn of the loop: assign on the first, then handle what the next poll brings. */
    private void step() {
        if (end == null) {
            end = assignFromBeginning();
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (trusted(record)) {
                handler.accept(record);
            }
            applied.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        if (caughtUp.getCount() > 0 && end.entrySet().stream()
                .allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue())) {
            log.info("Read {} to its end (records {}; {} ignored as untrusted)", topic, signatures, untrusted.get());
            caughtUp.countDown();
        }
    }

    private Map<TopicPartition, Long> assignFromBeginning() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("Topic " + topic + " does not exist; create it with `continua topics`");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer.endOffsets(partitions);
    }

    /** Back to the first record not handled on every partition: a failed batch is read again from there. */
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
     * Waits until every record of this topic up to these offsets (the last one written per
     * partition; other topics' are ignored) has been handled: a writer that appended them then sees
     * its change, applied once, in log order. Returns whether it happened within the timeout.
     */
    public boolean awaitApplied(Map<TopicPartition, Long> lastOffsets, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!lastOffsets.entrySet().stream().filter(entry -> entry.getKey().topic().equals(topic))
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

    /** Whether the follower is handling the topic now (false while it retries after a failure). */
    public boolean isFollowing() {
        return loop.isUp();
    }

    /** Failures the follower recovered from (or is retrying). */
    public long failures() {
        return loop.failures();
    }

    /** Records ignored because their signature was missing or wrong. */
    public long untrustedRecords() {
        return untrusted.get();
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

    @Override
    public void close() throws InterruptedException {
        loop.close();
    }
}
