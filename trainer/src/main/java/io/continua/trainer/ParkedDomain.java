package io.continua.trainer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A domain this trainer cannot take over for now (its delta's archive cannot be read, the registry
 * cannot say where it stands): its records are skipped, not trained, and the partition's commits stop
 * at the first one skipped, so nothing is lost; the other domains on the partition keep training.
 * The takeover is retried with a growing pause; when it succeeds, the partition is read again from
 * the first skipped record.
 */
final class ParkedDomain {
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration LAST_RETRY = Duration.ofMinutes(5);

    private final String domain;
    private final Map<TopicPartition, Long> firstSkipped = new HashMap<>();
    private final Map<TopicPartition, Long> skippedUntil = new HashMap<>();
    private String reason;
    private Duration pause = FIRST_RETRY;
    private long retryAt;
    private long skipped;

    ParkedDomain(String domain, String reason, long now) {
        this.domain = domain;
        this.reason = reason;
        this.retryAt = now + pause.toNanos();
    }

    /** Notes a record of the domain that is not trained while it is parked (counted once if read again). */
    void skip(TopicPartition partition, long offset) {
        firstSkipped.merge(partition, offset, Math::min);
        if (offset >= skippedUntil.getOrDefault(partition, 0L)) {
            skippedUntil.put(partition, offset + 1);
            skipped++;
        }
    }

    boolean retryDue(long now) {
        return now >= retryAt;
    }

    /** The takeover failed again: wait twice as long (at most 5 minutes) before the next try. */
    void failedAgain(String newReason, long now) {
        reason = newReason;
        Duration doubled = pause.multipliedBy(2);
        pause = doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
        retryAt = now + pause.toNanos();
    }

    Map<TopicPartition, Long> firstSkipped() {
        return Map.copyOf(firstSkipped);
    }

    /** The partitions' commits may not pass this offset (or the partition's own position if nothing was skipped there). */
    Long firstSkipped(TopicPartition partition) {
        return firstSkipped.get(partition);
    }

    void forget(TopicPartition partition) {
        firstSkipped.remove(partition);
        skippedUntil.remove(partition);
    }

    /** True once no partition it skipped records on is left. */
    boolean skipsNothing() {
        return firstSkipped.isEmpty();
    }

    DomainStatus status() {
        return new DomainStatus(domain, null, (int) Math.min(Integer.MAX_VALUE, skipped), 0, 0, 0, Double.NaN, null, 0,
                reason, null, Double.NaN, null, 0, null);
    }

    String domain() {
        return domain;
    }
}
