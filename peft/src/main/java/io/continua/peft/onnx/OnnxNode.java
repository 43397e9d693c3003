package io.continua.peft.onnx;

import java.util.List;
import java.util.Map;

/** One node of an ONNX graph: its operator, wiring, and the tensor-valued attributes it carries. */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs,
                       Map<String, OnnxTensor> tensorAttributes) {
    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        tensorAttributes = Map.copyOf(tensorAttributes);
    }
}
