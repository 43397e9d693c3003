package io.continua.peft.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The parts of an ONNX model Continua reads: initializers by name and the graph's nodes. */
public record OnnxModel(Map<String, OnnxTensor> initializers, List<OnnxNode> nodes) {
    public OnnxModel {
        initializers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        nodes = List.copyOf(nodes);
    }

    /** The node that produces {@code output}, if any. */
    public Optional<OnnxNode> producerOf(String output) {
        return nodes.stream().filter(node -> node.outputs().contains(output)).findFirst();
    }

    /** A constant tensor by name: an initializer or the value of the Constant node producing it. */
    public Optional<OnnxTensor> constant(String name) {
        OnnxTensor initializer = initializers.get(name);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        return producerOf(name)
                .filter(node -> node.opType().equals("Constant"))
                .map(node -> node.tensorAttributes().get("value"));
    }
}
