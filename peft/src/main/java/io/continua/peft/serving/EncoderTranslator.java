package io.continua.peft.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.continua.peft.graph.DeltaStack;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.graph.TfTensors;

/** Turns a packed batch plus its deltas into the SavedModel's named inputs, and its outputs into rows. */
final class EncoderTranslator implements NoBatchifyTranslator<EncoderTranslator.Input, EncoderOutputs> {

    /**
     * What one call feeds: the batch, and either one delta's prebuilt arrays or a stack of several
     * deltas to copy in.
     */
    record Input(PackedBatch batch, NDList prepared, DeltaStack stack) {
    }

    @Override
    public NDList processInput(TranslatorContext context, Input input) {
        NDManager manager = context.getNDManager();
        NDList list = new NDList();
        EncoderGraph.describe(input.batch(), true, new NDListFeed(manager, list));
        list.addAll(input.prepared() != null ? input.prepared() : ServingDelta.arrays(manager, input.stack()));
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
