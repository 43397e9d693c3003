package io.continua.peft.delta;

import io.continua.peft.encoder.Projection;
import io.continua.peft.graph.DeltaLayout;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * IA³ (Liu et al. 2022, "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than
 * In-Context Learning"): learned vectors that rescale activations in every layer, initialized to
 * ones so training starts from the base. As in Hugging Face PEFT's {@code IA3Config} for BERT, the
 * outputs of the target projections are rescaled, except the feed-forward block's second projection
 * ({@code output}, PEFT's {@code feedforward_modules}), whose input — the activated intermediate — is.
 * The default targets are the paper's: keys, values and the feed-forward activation.
 */
public record Ia3Config(Set<Projection> targets) implements DeltaConfig {
    public static final Set<Projection> DEFAULT_TARGETS =
            Collections.unmodifiableSet(EnumSet.of(Projection.KEY, Projection.VALUE, Projection.OUTPUT));

    public Ia3Config {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("IA3 needs at least one target projection");
        }
        targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
    }

    public static Ia3Config defaults() {
        return new Ia3Config(DEFAULT_TARGETS);
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.IA3;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new Ia3Piece(targets)));
    }

    /** Every rescaling vector starts at one: the encoder is the base's until training moves it. */
    @Override
    public float[] initialValues(String tensor, long[] shape, Random random) {
        float[] ones = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Arrays.fill(ones, 1f);
        return ones;
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind().key());
        values.put("targets", targets.stream().map(Projection::key).collect(Collectors.joining(",")));
        return values;
    }
}
