package io.continua.peft.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the initializers and nodes of an ONNX ModelProto with a plain protobuf stream reader (no
 * generated ONNX classes). Only what the encoder builder needs is kept; other fields are skipped.
 */
public final class OnnxModelReader {
    // Field numbers from onnx.proto.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_TENSOR = 5;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_INT32_DATA = 5;
    private static final int TENSOR_INT64_DATA = 7;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;

    private OnnxModelReader() {
    }

    public static OnnxModel read(InputStream in) throws IOException {
        CodedInputStream model = CodedInputStream.newInstance(in);
        model.setSizeLimit(Integer.MAX_VALUE);
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<OnnxNode> nodes = new ArrayList<>();
        boolean sawGraph = false;
        for (int tag = model.readTag(); tag != 0; tag = model.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH) {
                sawGraph = true;
                int limit = model.pushLimit(model.readRawVarint32());
                readGraph(model, initializers, nodes);
                model.popLimit(limit);
            } else {
                model.skipField(tag);
            }
        }
        if (!sawGraph) {
            throw new IOException("Not an ONNX model: no graph found");
        }
        return new OnnxModel(initializers, nodes);
    }

    private static void readGraph(CodedInputStream in, Map<String, OnnxTensor> initializers, List<OnnxNode> nodes)
            throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == GRAPH_INITIALIZER) {
                OnnxTensor tensor = readTensor(in.readBytes().newCodedInput());
                initializers.put(tensor.name(), tensor);
            } else if (field == GRAPH_NODE) {
                nodes.add(readNode(in.readBytes().newCodedInput()));
            } else {
                in.skipField(tag);
            }
        }
    }

    private static OnnxNode readNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, OnnxTensor> tensorAttributes = new HashMap<>();
        String name = "";
        String opType = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case NODE_INPUT -> inputs.add(in.readString());
                case NODE_OUTPUT -> outputs.add(in.readString());
                case NODE_NAME -> name = in.readString();
                case NODE_OP_TYPE -> opType = in.readString();
                case NODE_ATTRIBUTE -> readTensorAttribute(in.readBytes().newCodedInput(), tensorAttributes);
                default -> in.skipField(tag);
            }
        }
        return new OnnxNode(name, opType, inputs, outputs, tensorAttributes);
    }

    private static void readTensorAttribute(CodedInputStream in, Map<String, OnnxTensor> into) throws IOException {
        String name = null;
        OnnxTensor tensor = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case ATTRIBUTE_NAME -> name = in.readString();
                case ATTRIBUTE_TENSOR -> tensor = readTensor(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
        if (name != null && tensor != null) {
            into.put(name, tensor);
        }
    }

    private static OnnxTensor readTensor(CodedInputStream in) throws IOException {
        in.setSizeLimit(Integer.MAX_VALUE);
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteBuffer raw = null;
        TypedValues typed = new TypedValues();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            switch (field) {
                case TENSOR_DIMS -> readLongs(in, packed, dims);
                case TENSOR_DATA_TYPE -> dataType = in.readInt32();
                case TENSOR_NAME -> name = in.readString();
                case TENSOR_RAW_DATA -> raw = in.readBytes().asReadOnlyByteBuffer();
                case TENSOR_FLOAT_DATA -> typed.readFloats(in, packed);
                case TENSOR_INT32_DATA, TENSOR_INT64_DATA -> readLongs(in, packed, typed.integers);
                case TENSOR_EXTERNAL_DATA -> throw new IOException(
                        "ONNX tensor " + name + " keeps its data in an external file, which is not supported");
                default -> in.skipField(tag);
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return new OnnxTensor(name, shape, dataType, raw != null ? raw : typed.toBuffer(dataType));
    }

    private static void readLongs(CodedInputStream in, boolean packed, List<Long> into) throws IOException {
        if (!packed) {
            into.add(in.readInt64());
            return;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
            into.add(in.readInt64());
        }
        in.popLimit(limit);
    }

    /** Values stored in the typed repeated fields instead of raw_data (small tensors, Constant nodes). */
    private static final class TypedValues {
        private final List<Float> floats = new ArrayList<>();
        private final List<Long> integers = new ArrayList<>();

        void readFloats(CodedInputStream in, boolean packed) throws IOException {
            if (!packed) {
                floats.add(in.readFloat());
                return;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                floats.add(in.readFloat());
            }
            in.popLimit(limit);
        }

        ByteBuffer toBuffer(int dataType) {
            ByteBuffer buffer;
            if (dataType == OnnxTensor.FLOAT) {
                buffer = ByteBuffer.allocate(floats.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                floats.forEach(buffer::putFloat);
            } else if (dataType == OnnxTensor.INT32) {
                buffer = ByteBuffer.allocate(integers.size() * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                integers.forEach(value -> buffer.putInt(value.intValue()));
            } else {
                buffer = ByteBuffer.allocate(integers.size() * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                integers.forEach(buffer::putLong);
            }
            return buffer.flip();
        }
    }
}
