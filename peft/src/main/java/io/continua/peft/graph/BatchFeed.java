package io.continua.peft.graph;

/**
 * Where the arrays of one run go: a TensorFlow session runner or a DJL input list. The encoder's
 * inputs and a delta stack are described once ({@link EncoderGraph#describe}, {@link DeltaStack})
 * and fed through either.
 */
public interface BatchFeed {
    void ints(String name, int[] values, long... shape);

    void floats(String name, float[] values, long... shape);
}
