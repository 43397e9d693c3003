package io.continua.peft.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * A {@link BatchFeed} into a TensorFlow session runner: each array becomes a tensor fed to the
 * placeholder of that name. Closing it frees the tensors, after the run.
 */
public final class SessionFeed implements BatchFeed, AutoCloseable {
    private final Session.Runner runner;
    private final Map<String, ? extends Operand<?>> inputs;
    private final List<Tensor> fed = new ArrayList<>();

    public SessionFeed(Session.Runner runner, Map<String, ? extends Operand<?>> inputs) {
        this.runner = runner;
        this.inputs = inputs;
    }

    @Override
    public void ints(String name, int[] values, long... shape) {
        feed(name, TfTensors.ints(values, shape));
    }

    @Override
    public void floats(String name, float[] values, long... shape) {
        feed(name, TfTensors.floats(values, shape));
    }

    /** Feeds a tensor this feed did not build (it is closed with the others). */
    public void feed(Operand<?> input, Tensor tensor) {
        fed.add(tensor);
        runner.feed(input, tensor);
    }

    private void feed(String name, Tensor tensor) {
        Operand<?> input = inputs.get(name);
        if (input == null) {
            tensor.close();
            throw new IllegalArgumentException("The graph has no input " + name);
        }
        feed(input, tensor);
    }

    @Override
    public void close() {
        fed.forEach(Tensor::close);
    }
}
