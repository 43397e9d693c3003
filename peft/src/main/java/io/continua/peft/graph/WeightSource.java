package io.continua.peft.graph;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** How the graph reaches a frozen base parameter: a fed placeholder, or a variable in an export. */
@FunctionalInterface
public interface WeightSource {
    Operand<TFloat32> weight(String name, long[] shape);
}
