package io.continua.trainer;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.GraphEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.training.Evaluator;
import io.continua.peft.training.TrainingGraph;

/** What every domain's training shares: the encoder, its training and evaluation graphs, the tokenizer. */
record DomainModel(PretrainedEncoder encoder, TrainingGraph training, TrainingGraph trainingWithDropout,
                   GraphEncoder inference, TextTokenizer tokenizer) implements AutoCloseable {

    static DomainModel load(PretrainedEncoder encoder) {
        return new DomainModel(encoder, TrainingGraph.create(encoder), TrainingGraph.withLoraDropout(encoder),
                GraphEncoder.create(encoder), new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH));
    }

    Evaluator evaluator() {
        return new Evaluator(inference, tokenizer, encoder.architecture(), 128);
    }

    @Override
    public void close() {
        training.close();
        trainingWithDropout.close();
        inference.close();
        tokenizer.close();
    }
}
