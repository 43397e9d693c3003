package io.continua.schemas.kafka;

import io.continua.schemas.kafka.SignedTopicFollower.Refusals;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code deltas} topic from its beginning and then follows it, handing every record it
 * can read to the applier it was given, on its own thread, in log order: the registry rebuilds its
 * view this way, and every serving replica learns of new versions and alias moves.
 * {@link #awaitCaughtUp} returns once what was in the topic at start has been applied: the view is
 * then complete. Unsigned or wrongly signed records (when signatures are checked), and records it
 * cannot read (a malformed key, undecodable bytes, a record under another record's key) are
 * skipped, logged, counted and refused; the follower goes on.
 */
public final class DeltaLogFollower implements AutoCloseable, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(DeltaLogFollower.class);

    private final SignedTopicFollower follower;
    private final AtomicLong unreadable = new AtomicLong();

    public DeltaLogFollower(KafkaConnection kafka, String topic, DeltaLogSignatures signatures, Refusals refusals,
                            BiConsumer<String, SpecificRecord> apply) {
        this.follower = new SignedTopicFollower(kafka, topic, signatures, refusals, record -> {
            try {
                DeltaLog.decode(topic, record.key(), record.value()).ifPresent(value -> apply.accept(record.key(), value));
            } catch (DeltaLog.Unreadable e) {
                unreadable.incrementAndGet();
                log.error("Skipping record {} at {}-{}@{}: {} ({})", record.key(), topic, record.partition(),
                        record.offset(), e.reason(), e.getMessage());
                refusals.refuse(record, e.reason(), e.getMessage());
            }
        });
    }

    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        follower.awaitCaughtUp(timeout);
    }

    public boolean isCaughtUp() {
        return follower.isCaughtUp();
    }

    /** See {@link SignedTopicFollower#awaitApplied}. */
    public boolean awaitApplied(Map<TopicPartition, Long> lastOffsets, Duration timeout) throws InterruptedException {
        return follower.awaitApplied(lastOffsets, timeout);
    }

    /** Whether the follower is applying the log now (false while it retries after a failure). */
    public boolean isFollowing() {
        return follower.isFollowing();
    }

    /** Failures the follower recovered from (or is retrying). */
    public long failures() {
        return follower.failures();
    }

    /** Records ignored because their signature was missing or wrong. */
    public long untrustedRecords() {
        return follower.untrustedRecords();
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

    @Override
    public void close() throws InterruptedException {
        follower.close();
    }
}
