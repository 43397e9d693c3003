package io.continua.trainer;

import io.continua.peft.data.LabeledText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A bounded sample of labeled texts balanced across labels: each label keeps a uniform reservoir
 * sample of what it has seen, and the labels share the capacity equally (a new label takes its share
 * from the others). Rare classes are thus not crowded out by frequent ones.
 */
final class BalancedReservoir {
    private final int capacity;
    private final Random random;
    private final Map<String, List<LabeledText>> byLabel = new LinkedHashMap<>();
    private final Map<String, Long> seen = new LinkedHashMap<>();

    BalancedReservoir(int capacity, long seed) {
        this.capacity = capacity;
        this.random = new Random(seed);
    }

    void add(LabeledText example) {
        List<LabeledText> sample = byLabel.computeIfAbsent(example.label(), label -> new ArrayList<>());
        long count = seen.merge(example.label(), 1L, Long::sum);
        int share = Math.max(1, capacity / byLabel.size());
        if (sample.size() < share) {
            sample.add(example);
        } else {
            long slot = (long) (random.nextDouble() * count);
            if (slot < share) {
                sample.set((int) slot % sample.size(), example);
            }
        }
        shrinkToShares();
    }

    /** Drops every example of this text, whatever its label: a corrected label replaces it. */
    void forget(String text) {
        byLabel.values().forEach(sample -> sample.removeIf(example -> example.text().equals(text)));
    }

    /** Up to {@code count} examples drawn uniformly without replacement. */
    List<LabeledText> sample(int count) {
        List<LabeledText> all = all();
        Collections.shuffle(all, random);
        return all.subList(0, Math.min(count, all.size()));
    }

    List<LabeledText> all() {
        List<LabeledText> all = new ArrayList<>();
        byLabel.values().forEach(all::addAll);
        return all;
    }

    int size() {
        return byLabel.values().stream().mapToInt(List::size).sum();
    }

    private void shrinkToShares() {
        int share = Math.max(1, capacity / Math.max(1, byLabel.size()));
        for (List<LabeledText> sample : byLabel.values()) {
            while (sample.size() > share) {
                sample.remove(random.nextInt(sample.size()));
            }
        }
    }
}
