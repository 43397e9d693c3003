package io.continua.peft.serving;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.continua.peft.delta.Delta;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.DeltaStack;
import java.util.List;

/**
 * A delta ready to serve: its layout, its label count, and its tensors both as a one-delta stack
 * of DJL arrays (built once at load, fed as they are when a batch holds only this delta) and as
 * host arrays (copied into a stack when it shares a batch with other deltas of its layout). Close
 * it to release the native memory.
 */
public final class ServingDelta implements AutoCloseable {
    private final DeltaLayout layout;
    private final Delta delta;
    private final NDManager manager;
    private final NDList arrays;

    ServingDelta(NDManager parent, Delta delta, EncoderArchitecture architecture) {
        this.layout = delta.config().layout();
        this.delta = delta;
        this.manager = parent.newSubManager();
        this.arrays = arrays(manager, DeltaStack.of(layout, architecture, delta.inputs()));
    }

    /** A stack as named DJL arrays in {@code manager}. */
    static NDList arrays(NDManager manager, DeltaStack stack) {
        NDList list = new NDList();
        stack.describe(new NDListFeed(manager, list));
        return list;
    }

    public DeltaLayout layout() {
        return layout;
    }

    public int labelCount() {
        return delta.labels().size();
    }

    Delta delta() {
        return delta;
    }

    NDList arrays() {
        return arrays;
    }

    /** The tensors of several deltas of one layout, stacked in the given order. */
    static DeltaStack stack(List<ServingDelta> deltas, EncoderArchitecture architecture) {
        return DeltaStack.of(deltas.get(0).layout, architecture, deltas.stream().map(d -> d.delta.inputs()).toList());
    }

    @Override
    public void close() {
        manager.close();
    }
}
