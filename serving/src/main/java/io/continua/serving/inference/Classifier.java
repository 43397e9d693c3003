package io.continua.serving.inference;

import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.serving.DjlEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.TokenBatch;
import io.continua.serving.deltas.DeltaCatalog;
import io.continua.serving.deltas.LoadedDelta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/** Runs one batch of texts of one domain on the delta it should use, and ranks each text's labels. */
public final class Classifier {
    private final DeltaCatalog catalog;
    private final DjlEncoder encoder;
    private final TextTokenizer tokenizer;
    private final int topK;

    public Classifier(DeltaCatalog catalog, DjlEncoder encoder, TextTokenizer tokenizer, int topK) {
        this.catalog = catalog;
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.topK = topK;
    }

    public List<Classification> classify(String domain, OptionalInt version, List<String> texts) {
        LoadedDelta delta = catalog.acquire(domain, version);
        try {
            TokenBatch tokens = tokenizer.encode(texts);
            EncoderOutputs outputs = encoder.run(tokens, delta.tensors());
            List<Classification> results = new ArrayList<>(texts.size());
            for (int row = 0; row < texts.size(); row++) {
                results.add(rank(outputs.probabilities()[row], delta, tokens.truncated()[row]));
            }
            return results;
        } finally {
            delta.release();
        }
    }

    private Classification rank(float[] probabilities, LoadedDelta delta, boolean truncated) {
        List<String> labels = delta.labels();
        List<Classification.Score> scores = IntStream.range(0, probabilities.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed())
                .limit(topK)
                .map(i -> new Classification.Score(labels.get(i), probabilities[i]))
                .toList();
        return new Classification(scores.get(0).label(), scores, delta.version(), truncated);
    }
}
