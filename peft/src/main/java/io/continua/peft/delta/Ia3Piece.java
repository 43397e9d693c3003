package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.Projection;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * IA³ in the graph: each target projection's output multiplied by a learned vector, in every layer;
 * for the feed-forward block's second projection the vector multiplies its input (the activated
 * intermediate) instead. In a mixed batch each token meets its own delta's vectors.
 */
public record Ia3Piece(Set<Projection> targets) implements DeltaPiece {

    private static final String PREFIX = "ia3.";

    public static String vector(int layer, Projection projection) {
        return PREFIX + layer + "." + projection.key();
    }

    /** Whether a delta tensor is one of IA³'s rescaling vectors. */
    public static boolean isVector(String tensor) {
        return tensor.startsWith(PREFIX);
    }

    /** Whether the vector rescales the projection's input (PEFT's feed-forward modules) rather than its output. */
    public static boolean scalesInput(Projection projection) {
        return projection == Projection.OUTPUT;
    }

    @Override
    public String layoutKey() {
        return "ia3(" + targets.stream().map(Projection::key).collect(Collectors.joining(",")) + ")";
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        List<TensorSpec> tensors = new ArrayList<>();
        for (int layer = 0; layer < architecture.layers(); layer++) {
            for (Projection projection : targets) {
                tensors.add(TensorSpec.trained(vector(layer, projection), scalesInput(projection)
                        ? projection.inputSize(architecture) : projection.outputSize(architecture)));
            }
        }
        return tensors;
    }

    @Override
    public Operand<TFloat32> projection(Sites sites, int layer, Projection projection, Operand<TFloat32> input,
                                        Operand<TFloat32> output) {
        return targets.contains(projection) && !scalesInput(projection)
                ? rescale(sites, vector(layer, projection), output) : output;
    }

    @Override
    public Operand<TFloat32> feedForwardActivation(Sites sites, int layer, Operand<TFloat32> activated) {
        return targets.contains(Projection.OUTPUT) ? rescale(sites, vector(layer, Projection.OUTPUT), activated)
                : activated;
    }

    private static Operand<TFloat32> rescale(Sites sites, String vector, Operand<TFloat32> tokens) {
        return sites.perToken(tokens, perDelta -> sites.tf().math.mul(perDelta,
                sites.broadcastPerDelta(sites.delta(vector))));
    }
}
