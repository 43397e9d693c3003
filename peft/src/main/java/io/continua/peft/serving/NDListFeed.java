package io.continua.peft.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.continua.peft.graph.BatchFeed;

/**
 * A {@link BatchFeed} into a DJL input list: each array becomes an {@link NDArray} of the manager,
 * named for the SavedModel input it feeds. The arrays live as long as the manager.
 */
final class NDListFeed implements BatchFeed {
    private final NDManager manager;
    private final NDList list;

    NDListFeed(NDManager manager, NDList list) {
        this.manager = manager;
        this.list = list;
    }

    @Override
    public void ints(String name, int[] values, long... shape) {
        add(manager.create(values, new Shape(shape)), name);
    }

    @Override
    public void floats(String name, float[] values, long... shape) {
        add(manager.create(values, new Shape(shape)), name);
    }

    private void add(NDArray array, String name) {
        array.setName(name);
        list.add(array);
    }
}
