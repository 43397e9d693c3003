package io.continua.serving.deltas;

import io.continua.peft.serving.ServingDelta;
import io.continua.serving.inference.Batcher;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A delta ready to serve, with a count of its users: the catalog holds one reference while the
 * delta is current, each batch running on it holds another. When it is swapped out and the last
 * batch is done, its tensors are released. Requests in flight thus finish on the delta they began with.
 */
public final class LoadedDelta implements Batcher.Delta {
    private final int version;
    private final List<String> labels;
    private final String layoutKey;
    private final ServingDelta tensors;
    private final Runnable release;
    private final AtomicInteger users = new AtomicInteger(1);

    LoadedDelta(int version, List<String> labels, ServingDelta tensors) {
        this(version, labels, tensors.layout().key(), tensors, tensors::close);
    }

    /** A delta whose release is {@code release}: what unit tests of the catalog hand it, without a model. */
    LoadedDelta(int version, List<String> labels, String layoutKey, ServingDelta tensors, Runnable release) {
        this.version = version;
        this.labels = List.copyOf(labels);
        this.layoutKey = layoutKey;
        this.tensors = tensors;
        this.release = release;
    }

    public int version() {
        return version;
    }

    public List<String> labels() {
        return labels;
    }

    public ServingDelta tensors() {
        return tensors;
    }

    /** Deltas of one layout can share an inference batch. */
    @Override
    public String layoutKey() {
        return layoutKey;
    }

    /** Takes a reference; false if the delta was already released (the caller looks again). */
    public boolean tryAcquire() {
        while (true) {
            int current = users.get();
            if (current == 0) {
                return false;
            }
            if (users.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    @Override
    public void release() {
        if (users.decrementAndGet() == 0) {
            release.run();
        }
    }

    /** Drops the catalog's reference: the tensors go once the last batch on them is done. */
    void retire() {
        release();
    }
}
