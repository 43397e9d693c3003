package io.continua.trainer;

import io.continua.peft.artifact.DeltaArtifactReader;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.GraphEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.training.Evaluator;
import io.continua.peft.training.TrainingGraph;
import java.util.HashMap;
import java.util.Map;

/**
 * What every domain's training shares: the encoder, its evaluation graph, the tokenizer and the
 * training graphs. A training graph with gradients is a whole second model in memory, so each
 * variant (with or without LoRA dropout) is built when a delta first needs it.
 */
final class DomainModel implements AutoCloseable {
    private final PretrainedEncoder encoder;
    private final GraphEncoder inference;
    private final TextTokenizer tokenizer;
    private final Map<Boolean, TrainingGraph> training = new HashMap<>();

    DomainModel(PretrainedEncoder encoder) {
        this.encoder = encoder;
        this.inference = GraphEncoder.create(encoder);
        this.tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    PretrainedEncoder encoder() {
        return encoder;
    }

    TextTokenizer tokenizer() {
        return tokenizer;
    }

    synchronized TrainingGraph training(DeltaConfig config) {
        return training.computeIfAbsent(config.loraDropout() > 0, dropout -> TrainingGraph.forDelta(encoder, config));
    }

    /** Reads archives of versions trained on this encoder (refusing any other base). */
    DeltaArtifactReader reader() {
        return new DeltaArtifactReader(encoder.fingerprint(), encoder.architecture(), DeltaArtifactReader.DEFAULT_MAX_BYTES);
    }

    Evaluator evaluator() {
        return new Evaluator(inference, tokenizer, encoder.architecture(), 128);
    }

    @Override
    public synchronized void close() {
        training.values().forEach(TrainingGraph::close);
        inference.close();
        tokenizer.close();
    }
}
