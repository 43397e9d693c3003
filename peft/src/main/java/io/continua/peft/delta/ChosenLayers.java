package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The layers a kind adapts, as its configuration lists them: empty means all. */
final class ChosenLayers {
    private ChosenLayers() {
    }

    /** The layers, checked against the encoder; every layer when none is listed. */
    static List<Integer> resolve(List<Integer> layers, EncoderArchitecture architecture, String kind) {
        for (int layer : layers) {
            if (layer < 0 || layer >= architecture.layers()) {
                throw new IllegalArgumentException(kind + " layer " + layer + " does not exist in an encoder of "
                        + architecture.layers() + " layers");
            }
        }
        return layers.isEmpty() ? IntStream.range(0, architecture.layers()).boxed().toList() : layers;
    }

    /** {@code all}, or the layer numbers separated by commas: how configurations and layout keys write them. */
    static String key(List<Integer> layers) {
        return layers.isEmpty() ? "all" : layers.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
