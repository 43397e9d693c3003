package io.continua.peft.encoder;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * Writes a small random BERT-family encoder as an ONNX ModelProto laid out like the Hugging Face
 * exports: named embeddings, biases and norms, anonymous linear weights consumed by named MatMul
 * nodes, and the attention reshape whose constant gives the head count. Only what the importer
 * reads is written; it is not a runnable ONNX graph.
 */
public final class TinyBertOnnxWriter {
    private final int layers;
    private final int hidden;
    private final int heads;
    private final int intermediate;
    private final int vocabulary;
    private final int positions;
    private final float epsilon;
    private final Random random;
    private final ByteArrayOutputStream graph = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(graph);
    private int anonymous = 100;

    public TinyBertOnnxWriter(int layers, int hidden, int heads, int intermediate, int vocabulary, int positions,
                       float epsilon, long seed) {
        this.layers = layers;
        this.hidden = hidden;
        this.heads = heads;
        this.intermediate = intermediate;
        this.vocabulary = vocabulary;
        this.positions = positions;
        this.epsilon = epsilon;
        this.random = new Random(seed);
    }

    /** A tiny encoder ready to build graphs on (its tokenizer is empty: feed token ids directly). */
    public static PretrainedEncoder tinyEncoder(int layers, int hidden, int heads, int intermediate, int vocabulary,
                                                long seed) {
        try {
            byte[] onnx = new TinyBertOnnxWriter(layers, hidden, heads, intermediate, vocabulary, 16, 1e-12f, seed)
                    .write();
            EncoderWeights weights = OnnxEncoderImporter.importWeights(
                    io.continua.peft.onnx.OnnxModelReader.read(new java.io.ByteArrayInputStream(onnx)));
            return new PretrainedEncoder("tiny", "tiny@seed-" + seed, weights, new byte[0]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public byte[] write() throws IOException {
        floatInitializer("embeddings.word_embeddings.weight", vocabulary, hidden);
        floatInitializer("embeddings.position_embeddings.weight", positions, hidden);
        floatInitializer("embeddings.token_type_embeddings.weight", 2, hidden);
        norm("embeddings.LayerNorm");
        node("/embeddings/LayerNorm/Constant_1", "Constant", List.of(),
                List.of("/embeddings/LayerNorm/Constant_1_output_0"), floatTensor("", new long[0], new float[] {epsilon}));
        for (int layer = 0; layer < layers; layer++) {
            String prefix = "encoder.layer." + layer + ".";
            for (Projection projection : Projection.values()) {
                String weight = "onnx::MatMul_" + anonymous++;
                floatInitializer(weight, projection.inputSize(architecture()), projection.outputSize(architecture()));
                String path = "/encoder/layer." + layer + "/" + projection.modulePath().replace('.', '/');
                node(path + "/MatMul", "MatMul", List.of("x", weight), List.of(path + "/MatMul_output_0"), null);
                floatInitializer(prefix + projection.modulePath() + ".bias", projection.outputSize(architecture()));
                node(path + "/Add", "Add", List.of(prefix + projection.modulePath() + ".bias", path + "/MatMul_output_0"),
                        List.of(path + "/Add_output_0"), null);
            }
            norm(prefix + "attention.output.LayerNorm");
            norm(prefix + "output.LayerNorm");
        }
        String self = "/encoder/layer.0/attention/self/";
        node(self + "Constant_2", "Constant", List.of(), List.of(self + "heads"),
                longTensor(new long[] {heads}));
        node(self + "Constant_3", "Constant", List.of(), List.of(self + "head_size"),
                longTensor(new long[] {hidden / heads}));
        node(self + "Concat_2", "Concat", List.of(self + "batch", self + "length", self + "heads", self + "head_size"),
                List.of(self + "shape"), null);
        node(self + "Reshape_2", "Reshape", List.of(self + "query/Add_output_0", self + "shape"),
                List.of(self + "Reshape_2_output_0"), null);
        out.flush();

        ByteArrayOutputStream model = new ByteArrayOutputStream();
        CodedOutputStream modelOut = CodedOutputStream.newInstance(model);
        modelOut.writeInt64(1, 8);
        modelOut.writeBytes(7, ByteString.copyFrom(graph.toByteArray()));
        modelOut.flush();
        return model.toByteArray();
    }

    public EncoderArchitecture architecture() {
        return new EncoderArchitecture(layers, hidden, heads, intermediate, vocabulary, positions, 2, epsilon);
    }

    private void norm(String name) throws IOException {
        floatInitializer(name + ".weight", hidden);
        floatInitializer(name + ".bias", hidden);
    }

    private void floatInitializer(String name, long... dims) throws IOException {
        int count = 1;
        for (long dim : dims) {
            count *= (int) dim;
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * 0.5);
        }
        out.writeBytes(5, floatTensor(name, dims, values));
    }

    private void node(String name, String opType, List<String> inputs, List<String> outputs, ByteString valueTensor)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream node = CodedOutputStream.newInstance(bytes);
        for (String input : inputs) {
            node.writeString(1, input);
        }
        for (String output : outputs) {
            node.writeString(2, output);
        }
        node.writeString(3, name);
        node.writeString(4, opType);
        if (valueTensor != null) {
            ByteArrayOutputStream attribute = new ByteArrayOutputStream();
            CodedOutputStream attributeOut = CodedOutputStream.newInstance(attribute);
            attributeOut.writeString(1, "value");
            attributeOut.writeBytes(5, valueTensor);
            attributeOut.flush();
            node.writeBytes(5, ByteString.copyFrom(attribute.toByteArray()));
        }
        node.flush();
        out.writeBytes(1, ByteString.copyFrom(bytes.toByteArray()));
    }

    private static ByteString floatTensor(String name, long[] dims, float[] values) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            raw.putFloat(value);
        }
        return tensor(name, dims, 1, raw.array());
    }

    private static ByteString longTensor(long[] values) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            raw.putLong(value);
        }
        return tensor("", new long[] {values.length}, 7, raw.array());
    }

    private static ByteString tensor(String name, long[] dims, int dataType, byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream tensor = CodedOutputStream.newInstance(bytes);
        for (long dim : dims) {
            tensor.writeInt64(1, dim);
        }
        tensor.writeInt32(2, dataType);
        tensor.writeString(8, name);
        tensor.writeBytes(9, ByteString.copyFrom(raw));
        tensor.flush();
        return ByteString.copyFrom(bytes.toByteArray());
    }
}
