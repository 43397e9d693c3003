package io.continua.peft.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.DeltaTensors;

/**
 * A delta's tensors as DJL arrays, built once when the delta is loaded and fed with every request
 * until it is swapped out. Close it to release the native memory.
 */
public final class ServingDelta implements AutoCloseable {
    private final NDManager manager;
    private final NDList arrays;

    ServingDelta(NDManager parent, DeltaTensors delta) {
        this.manager = parent.newSubManager();
        this.arrays = new NDList();
        for (WeightTensor tensor : delta.all()) {
            NDArray array = manager.create(tensor.values(), new Shape(tensor.shape()));
            array.setName(tensor.name());
            arrays.add(array);
        }
    }

    NDList arrays() {
        return arrays;
    }

    @Override
    public void close() {
        manager.close();
    }
}
