package io.continua.serving.inference;

import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.serving.DjlEncoder;
import io.continua.peft.serving.ServingDelta;
import io.continua.serving.deltas.LoadedDelta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Runs one batch, each text on its own delta (all of one layout), and ranks each text's labels. */
public final class Classifier implements Batcher.BatchRunner<LoadedDelta> {
    private final DjlEncoder encoder;
    private final int topK;

    public Classifier(DjlEncoder encoder, int topK) {
        this.encoder = encoder;
        this.topK = topK;
    }

    @Override
    public List<Classification> classify(List<Batcher.Item<LoadedDelta>> batch) {
        List<ServingDelta> deltas = batch.stream().map(item -> item.delta().tensors()).toList();
        EncoderOutputs outputs = encoder.run(batch.stream().map(Batcher.Item::tokens).toList(), deltas);
        List<Classification> results = new ArrayList<>(batch.size());
        for (int row = 0; row < batch.size(); row++) {
            Batcher.Item<LoadedDelta> item = batch.get(row);
            results.add(rank(outputs.probabilities()[row], item.delta(), item.tokens().truncated()));
        }
        return results;
    }

    /** The top labels of a row; a row is as wide as the batch's widest head, its own labels come first. */
    private Classification rank(float[] probabilities, LoadedDelta delta, boolean truncated) {
        List<String> labels = delta.labels();
        List<Classification.Score> scores = IntStream.range(0, labels.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed())
                .limit(topK)
                .map(i -> new Classification.Score(labels.get(i), probabilities[i]))
                .toList();
        return new Classification(scores.get(0).label(), scores, delta.version(), truncated);
    }
}
