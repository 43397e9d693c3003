package io.continua.peft.encoder;

import io.continua.peft.onnx.OnnxModel;
import io.continua.peft.onnx.OnnxNode;
import io.continua.peft.onnx.OnnxTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a BERT-family ONNX export (as Hugging Face Optimum / sentence-transformers write it) into
 * {@link EncoderWeights}. Named initializers keep their names; the anonymous linear weights
 * ({@code onnx::MatMul_787}) are named after the MatMul node that consumes them
 * ({@code /encoder/layer.0/attention/self/query/MatMul} becomes
 * {@code encoder.layer.0.attention.self.query.weight}). The head count is read from the shape the
 * attention reshapes to, the LayerNorm epsilon from the constant the norm adds.
 */
public final class OnnxEncoderImporter {
    private static final float DEFAULT_EPSILON = 1e-12f;

    private OnnxEncoderImporter() {
    }

    public static EncoderWeights importWeights(OnnxModel model) {
        Map<String, WeightTensor> tensors = new LinkedHashMap<>();
        for (OnnxTensor initializer : model.initializers().values()) {
            if (initializer.dataType() == OnnxTensor.FLOAT) {
                tensors.put(initializer.name(), toWeight(initializer.name(), initializer));
            }
        }
        for (OnnxNode node : model.nodes()) {
            if (node.opType().equals("MatMul") && node.inputs().size() == 2) {
                OnnxTensor weight = model.initializers().get(node.inputs().get(1));
                if (weight != null) {
                    String name = parameterName(node.name());
                    tensors.remove(weight.name());
                    tensors.put(name, toWeight(name, weight));
                }
            }
        }
        return new EncoderWeights(tensors, heads(model), epsilon(model));
    }

    /** {@code /encoder/layer.0/attention/self/query/MatMul} to {@code encoder.layer.0.attention.self.query.weight}. */
    static String parameterName(String matMulNode) {
        String path = matMulNode.startsWith("/") ? matMulNode.substring(1) : matMulNode;
        if (path.endsWith("/MatMul")) {
            path = path.substring(0, path.length() - "/MatMul".length());
        }
        return path.replace('/', '.') + ".weight";
    }

    private static WeightTensor toWeight(String name, OnnxTensor tensor) {
        return new WeightTensor(name, tensor.dims(), tensor.floats());
    }

    /** The head count is the third entry of the [batch, seq, heads, head_size] shape the query is reshaped to. */
    private static int heads(OnnxModel model) {
        String queryOutput = model.nodes().stream()
                .filter(node -> node.name().equals("/encoder/layer.0/attention/self/query/Add"))
                .map(node -> node.outputs().get(0))
                .findFirst()
                .orElseThrow(() -> unsupported("no query projection in layer 0"));
        OnnxNode reshape = model.nodes().stream()
                .filter(node -> node.opType().equals("Reshape") && node.inputs().get(0).equals(queryOutput))
                .findFirst()
                .orElseThrow(() -> unsupported("the query is never reshaped into heads"));
        long[] shape = resolveShape(model, reshape.inputs().get(1))
                .orElseThrow(() -> unsupported("the attention reshape has no constant head count"));
        if (shape.length != 4 || shape[2] <= 0) {
            throw unsupported("unexpected attention reshape " + java.util.Arrays.toString(shape));
        }
        return Math.toIntExact(shape[2]);
    }

    /** A shape given as a constant, or as a Concat of pieces of which the last two are constants. */
    private static Optional<long[]> resolveShape(OnnxModel model, String name) {
        Optional<OnnxTensor> constant = model.constant(name);
        if (constant.isPresent()) {
            return Optional.of(constant.get().longs());
        }
        return model.producerOf(name)
                .filter(node -> node.opType().equals("Concat"))
                .map(concat -> concat.inputs().stream()
                        .mapToLong(piece -> model.constant(piece)
                                .filter(tensor -> tensor.elementCount() == 1)
                                .map(tensor -> tensor.longs()[0])
                                .orElse(-1L))
                        .toArray());
    }

    private static float epsilon(OnnxModel model) {
        return model.constant("/embeddings/LayerNorm/Constant_1_output_0")
                .filter(tensor -> tensor.dataType() == OnnxTensor.FLOAT && tensor.elementCount() == 1)
                .map(tensor -> tensor.floats()[0])
                .orElse(DEFAULT_EPSILON);
    }

    private static IllegalArgumentException unsupported(String why) {
        return new IllegalArgumentException("Not a supported BERT-family ONNX encoder: " + why);
    }
}
