package io.continua.peft.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.continua.peft.tokenizer.TokenBatch;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * ONNX Runtime running an encoder's ONNX file: the oracle that the TensorFlow rebuild is held to
 * (parity tests and {@code continua bench model}). ONNX Runtime is an optional dependency of this
 * module: only callers of this class need it on their classpath.
 */
public final class OnnxRuntimeOracle implements AutoCloseable {
    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OnnxRuntimeOracle(InputStream onnx) throws IOException, OrtException {
        session = environment.createSession(onnx.readAllBytes(), new OrtSession.SessionOptions());
    }

    /** Mean-pooled last hidden state over the unpadded tokens, one row per text. */
    public float[][] pooled(TokenBatch batch) throws OrtException {
        long[][] ids = new long[batch.size()][batch.length()];
        long[][] mask = new long[batch.size()][batch.length()];
        long[][] types = new long[batch.size()][batch.length()];
        for (int row = 0; row < batch.size(); row++) {
            for (int i = 0; i < batch.length(); i++) {
                ids[row][i] = batch.ids()[row * batch.length() + i];
                mask[row][i] = batch.mask()[row * batch.length() + i];
            }
        }
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, ids);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask);
             OnnxTensor typesTensor = OnnxTensor.createTensor(environment, types);
             OrtSession.Result result = session.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor,
                     "token_type_ids", typesTensor))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            float[][] pooled = new float[batch.size()][];
            for (int row = 0; row < batch.size(); row++) {
                pooled[row] = new float[hidden[row][0].length];
                int tokens = batch.tokens(row);
                for (int t = 0; t < tokens; t++) {
                    for (int h = 0; h < pooled[row].length; h++) {
                        pooled[row][h] += hidden[row][t][h] / tokens;
                    }
                }
            }
            return pooled;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
