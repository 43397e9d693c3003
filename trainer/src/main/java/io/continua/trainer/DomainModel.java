package io.continua.trainer;

import io.continua.peft.artifact.DeltaArtifactReader;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.training.Evaluator;
import io.continua.peft.training.TrainingGraph;
import io.continua.schemas.registry.RegistryClient;

/**
 * What every domain's training shares: the encoder resident in the process runtime (its graphs per
 * delta layout are built when a delta first needs them), and the tokenizer.
 */
final class DomainModel implements AutoCloseable {
    private final PretrainedEncoder encoder;
    private final EncoderRuntime runtime;
    private final TextTokenizer tokenizer;

    DomainModel(PretrainedEncoder encoder) {
        this.encoder = encoder;
        this.runtime = EncoderRuntime.of(encoder);
        this.tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    PretrainedEncoder encoder() {
        return encoder;
    }

    TextTokenizer tokenizer() {
        return tokenizer;
    }

    TrainingGraph training(DeltaConfig config) {
        return TrainingGraph.forDelta(runtime, config);
    }

    /** A version of a domain as the registry holds it, read as trained on this encoder (any other base refused). */
    LoadedArtifact version(RegistryClient registry, String domain, int version) {
        return new DeltaArtifactReader(encoder.fingerprint(), encoder.architecture(),
                DeltaArtifactReader.DEFAULT_MAX_BYTES).read(registry.artifact(domain, version));
    }

    Evaluator evaluator() {
        return new Evaluator(runtime, tokenizer, 128);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
