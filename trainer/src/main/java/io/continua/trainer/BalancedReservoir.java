package io.continua.trainer;

import io.continua.peft.data.LabeledText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A bounded sample of labeled texts balanced across labels: each label keeps a uniform reservoir
 * sample of what it has seen, and the labels share the capacity equally (a new label takes its share
 * from the others). Rare classes are thus not crowded out by frequent ones. Each kept text counts
 * how often it was trained on, so training can go to what it has learned least.
 */
final class BalancedReservoir {
    private final int capacity;
    private final Random random;
    private final Map<String, List<Kept>> byLabel = new LinkedHashMap<>();
    private final Map<String, Long> seen = new LinkedHashMap<>();
    private final int targetPasses;
    /** Passes still owed to the kept examples, kept up to date on every change (a status reads it per record). */
    private long owed;

    /** A kept example and the optimizer steps it took part in. */
    private static final class Kept {
        final LabeledText example;
        int visits;

        Kept(LabeledText example, int visits) {
            this.example = example;
            this.visits = visits;
        }
    }

    /** A reservoir whose examples are not trained on (a holdout): nothing is ever owed. */
    BalancedReservoir(int capacity, long seed) {
        this(capacity, seed, 0);
    }

    /** A reservoir whose examples should each be trained on {@code targetPasses} times. */
    BalancedReservoir(int capacity, long seed, int targetPasses) {
        this.capacity = capacity;
        this.random = new Random(seed);
        this.targetPasses = targetPasses;
    }

    void add(LabeledText example) {
        add(example, 0);
    }

    /** Keeps (perhaps) an example that was already trained on {@code visits} times. */
    void add(LabeledText example, int visits) {
        List<Kept> sample = byLabel.computeIfAbsent(example.label(), label -> new ArrayList<>());
        long count = seen.merge(example.label(), 1L, Long::sum);
        int share = Math.max(1, capacity / byLabel.size());
        Kept kept = new Kept(example, visits);
        if (sample.size() < share) {
            sample.add(kept);
            owed += owedBy(kept);
        } else {
            long slot = (long) (random.nextDouble() * count);
            if (slot < share) {
                owed += owedBy(kept) - owedBy(sample.set((int) slot % sample.size(), kept));
            }
        }
        shrinkToShares();
    }

    /** Drops every example of this text, whatever its label: a corrected label replaces it. */
    void forget(String text) {
        byLabel.values().forEach(sample -> sample.removeIf(kept -> {
            boolean match = kept.example.text().equals(text);
            if (match) {
                owed -= owedBy(kept);
            }
            return match;
        }));
    }

    /** Counts every kept example as never trained on: a new delta (another lineage) has learned none of them. */
    void forgetVisits() {
        byLabel.values().forEach(sample -> sample.forEach(kept -> kept.visits = 0));
        owed = (long) size() * targetPasses;
    }

    /** Up to {@code count} examples drawn uniformly without replacement. */
    List<LabeledText> sample(int count) {
        List<Kept> all = kept();
        Collections.shuffle(all, random);
        return all.subList(0, Math.min(count, all.size())).stream().map(kept -> kept.example).toList();
    }

    /**
     * Up to {@code count} examples trained on least so far (ties drawn at random), each counted as
     * trained on once more: what a step should learn next.
     */
    List<Visit> leastTrained(int count) {
        List<Kept> all = kept();
        Collections.shuffle(all, random);
        all.sort(Comparator.comparingInt(kept -> kept.visits));
        List<Visit> chosen = new ArrayList<>(Math.min(count, all.size()));
        for (Kept kept : all.subList(0, Math.min(count, all.size()))) {
            owed -= kept.visits < targetPasses ? 1 : 0;
            chosen.add(new Visit(kept.example, kept.visits++));
        }
        return chosen;
    }

    /** An example chosen for a step, with how often it had been trained on before. */
    record Visit(LabeledText example, int before) {
    }

    /** Training still owed for every kept example to have had its target passes, in example passes. */
    long owed() {
        return owed;
    }

    private long owedBy(Kept kept) {
        return Math.max(0, targetPasses - kept.visits);
    }

    List<LabeledText> all() {
        return kept().stream().map(kept -> kept.example).toList();
    }

    int size() {
        return byLabel.values().stream().mapToInt(List::size).sum();
    }

    private List<Kept> kept() {
        List<Kept> all = new ArrayList<>();
        byLabel.values().forEach(all::addAll);
        return all;
    }

    private void shrinkToShares() {
        int share = Math.max(1, capacity / Math.max(1, byLabel.size()));
        for (List<Kept> sample : byLabel.values()) {
            while (sample.size() > share) {
                owed -= owedBy(sample.remove(random.nextInt(sample.size())));
            }
        }
    }
}
