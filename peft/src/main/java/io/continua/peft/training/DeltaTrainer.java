package io.continua.peft.training;

import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Trains one domain's delta: its tensors and their AdamW state are all it owns; the frozen base
 * and the {@link TrainingGraph} are shared with every other domain. Not thread-safe.
 */
public final class DeltaTrainer {
    private final TrainingGraph graph;
    private final TextTokenizer tokenizer;
    private final EncoderArchitecture architecture;
    private final TrainingConfig config;
    private final AdamW optimizer;
    private final Random shuffle;
    private Delta delta;
    private final Map<String, float[]> working = new LinkedHashMap<>();

    public DeltaTrainer(TrainingGraph graph, TextTokenizer tokenizer, Delta delta, TrainingConfig config,
                        AdamW optimizer) {
        if (!graph.layout().key().equals(delta.config().layout().key())) {
            throw new IllegalArgumentException("A " + delta.config().layout().key() + " delta cannot train on the "
                    + graph.layout().key() + " graph");
        }
        if (delta.config().loraDropout() > 0 && !graph.hasDropout()) {
            throw new IllegalArgumentException("LoRA dropout " + delta.config().loraDropout()
                    + " needs a training graph with dropout");
        }
        this.graph = graph;
        this.tokenizer = tokenizer;
        this.architecture = graph.architecture();
        this.config = config;
        this.optimizer = optimizer;
        this.shuffle = new Random(config.seed());
        this.delta = delta;
        delta.parameters().forEach(tensor -> working.put(tensor.name(), tensor.values().clone()));
    }

    /** A trainer for a fresh delta with a fresh optimizer. */
    public static DeltaTrainer start(TrainingGraph graph, TextTokenizer tokenizer, Delta delta, TrainingConfig config) {
        return new DeltaTrainer(graph, tokenizer, delta, config, new AdamW(config));
    }

    /** One optimizer step on {@code batch}; labels the delta does not know yet are added first. Returns the loss. */
    public double step(List<LabeledText> batch) {
        return step(batch, 1.0);
    }

    /** As {@link #step(List)}, the learning rates scaled by {@code rateScale} (a stream's schedule, on top of warm-up). */
    public double step(List<LabeledText> batch, double rateScale) {
        addLabels(batch.stream().map(LabeledText::label).distinct().toList());
        List<String> labels = delta.labels();
        float[] oneHot = new float[batch.size() * labels.size()];
        for (int row = 0; row < batch.size(); row++) {
            oneHot[row * labels.size() + labels.indexOf(batch.get(row).label())] = 1f;
        }
        float dropout = (float) delta.config().loraDropout();
        long dropoutSeed = config.seed() * 1_000_003L + optimizer.step();
        TrainingGraph.StepResult result = graph.step(
                PackedBatch.of(tokenizer.tokenize(batch.stream().map(LabeledText::text).toList()),
                        graph.layout().virtualTokens()),
                oneHot, delta.withValues(working).inputs(), working.keySet(), dropout, dropoutSeed);
        optimizer.apply(working, result.gradients(), rateScale);
        delta.config().constrain(working, delta.config().ownShapes(architecture));
        return result.loss();
    }

    /**
     * {@code epochs} passes over {@code examples} in shuffled batches; {@code afterStep} hears the step count.
     * Returns the mean loss of the last epoch.
     */
    public double fit(List<LabeledText> examples, int epochs, IntConsumer afterStep) {
        double lastEpochLoss = Double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++) {
            List<LabeledText> order = new ArrayList<>(examples);
            Collections.shuffle(order, shuffle);
            double sum = 0;
            int batches = 0;
            for (int start = 0; start < order.size(); start += config.batchSize()) {
                sum += step(order.subList(start, Math.min(start + config.batchSize(), order.size())));
                batches++;
                afterStep.accept((int) optimizer.step());
            }
            lastEpochLoss = sum / batches;
        }
        return lastEpochLoss;
    }

    /** Grows the head for labels it has not seen; existing classes keep their weights and optimizer state. */
    private void addLabels(List<String> labels) {
        int before = delta.labels().size();
        Delta grown = delta.withValues(working).withLabelsAdded(labels, config.seed() + before);
        if (grown.labels().size() == before) {
            return;
        }
        delta = grown;
        for (String slot : List.of(DeltaLayout.HEAD_WEIGHT, DeltaLayout.HEAD_BIAS)) {
            working.put(slot, delta.parameter(slot).values().clone());
        }
        optimizer.growHead(architecture.hiddenSize(), before, delta.labels().size());
    }

    /** The delta as trained so far (a copy). */
    /** The configuration of the delta being trained (cheaper than a {@link #snapshot()}). */
    public DeltaConfig deltaConfig() {
        return delta.config();
    }

    public Delta snapshot() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        working.forEach((name, values) -> copy.put(name, values.clone()));
        delta = delta.withValues(copy);
        return delta;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public long steps() {
        return optimizer.step();
    }
}
