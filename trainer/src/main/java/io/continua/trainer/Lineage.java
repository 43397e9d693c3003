package io.continua.trainer;

import io.continua.schemas.OffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Which offsets of a domain's partitions a delta has learned from. Registered versions cover
 * {@code [from, until)} ranges that follow each other without gap or overlap; what was trained since
 * the last registration is pending until a version carries it.
 */
final class Lineage {
    private final String topic;
    /** Per partition: everything below is covered by registered versions. */
    private final Map<Integer, Long> registeredUntil = new TreeMap<>();
    /** Per partition: the offset after the last TRAIN example taken into training since then. */
    private final Map<Integer, Long> pendingUntil = new TreeMap<>();
    /** Per partition: the first TRAIN offset read but not yet trained on. */
    private final Map<Integer, Long> firstUntrained = new TreeMap<>();

    Lineage(String topic, Map<Integer, Long> registeredUntil) {
        this.topic = topic;
        this.registeredUntil.putAll(registeredUntil);
    }

    /** Whether a registered version already learned from this record. */
    boolean alreadyRegistered(int partition, long offset) {
        return offset < registeredUntil.getOrDefault(partition, 0L);
    }

    void read(int partition, long offset) {
        firstUntrained.putIfAbsent(partition, offset);
    }

    /** The examples read so far went into training: they are pending until a version is registered. */
    void trainedUpTo(int partition, long offsetAfter) {
        pendingUntil.merge(partition, offsetAfter, Math::max);
        firstUntrained.remove(partition);
    }

    /** The ranges the next version carries: from what is registered to what has been trained. */
    List<OffsetRange> pendingRanges() {
        List<OffsetRange> ranges = new ArrayList<>();
        pendingUntil.forEach((partition, until) -> ranges.add(new OffsetRange(topic, partition,
                registeredUntil.getOrDefault(partition, 0L), until)));
        return ranges;
    }

    /** A version carrying {@link #pendingRanges()} was registered. */
    void registered() {
        pendingUntil.forEach((partition, until) -> registeredUntil.merge(partition, until, Math::max));
        pendingUntil.clear();
    }

    /**
     * The lowest offset of this partition the group may commit without losing this domain's
     * unregistered work: the start of what is pending, or of what was read but not trained.
     */
    OptionalLong safeCommit(int partition) {
        if (pendingUntil.containsKey(partition)) {
            return OptionalLong.of(registeredUntil.getOrDefault(partition, 0L));
        }
        Long untrained = firstUntrained.get(partition);
        return untrained == null ? OptionalLong.empty() : OptionalLong.of(untrained);
    }
}
