package io.continua.peft.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.graph.TfTensors;
import io.continua.peft.tokenizer.TokenBatch;

/** Turns a token batch plus a delta into the SavedModel's named inputs, and its outputs into rows. */
final class EncoderTranslator implements NoBatchifyTranslator<EncoderTranslator.Input, EncoderOutputs> {

    /** What one call feeds: the tokens of a batch of texts, and the delta to apply. */
    record Input(TokenBatch tokens, ServingDelta delta) {
    }

    @Override
    public NDList processInput(TranslatorContext context, Input input) {
        NDManager manager = context.getNDManager();
        TokenBatch tokens = input.tokens();
        Shape shape = new Shape(tokens.size(), tokens.length());
        NDArray ids = manager.create(tokens.ids(), shape);
        ids.setName(EncoderGraph.INPUT_IDS);
        NDArray mask = manager.create(tokens.mask(), shape);
        mask.setName(EncoderGraph.ATTENTION_MASK);
        NDList list = new NDList(ids, mask);
        list.addAll(input.delta().arrays());
        return list;
    }

    @Override
    public EncoderOutputs processOutput(TranslatorContext context, NDList outputs) {
        return new EncoderOutputs(rows(outputs.get(EncoderGraph.POOLED)), rows(outputs.get(EncoderGraph.LOGITS)),
                rows(outputs.get(EncoderGraph.PROBABILITIES)));
    }

    private static float[][] rows(NDArray array) {
        return TfTensors.rows(array.toFloatArray(), Math.toIntExact(array.getShape().get(0)),
                Math.toIntExact(array.getShape().get(1)));
    }
}
