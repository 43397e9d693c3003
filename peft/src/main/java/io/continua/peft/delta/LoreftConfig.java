package io.continua.peft.delta;

import io.continua.peft.graph.DeltaLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LoReFT (Wu et al. 2024, "ReFT: Representation Finetuning for Language Models"): at the output of
 * each chosen layer, on the chosen token positions, the hidden state {@code h} becomes
 * {@code h + Rᵀ(W h + b − R h)}, with {@code R} a low-rank projection whose rows stay orthonormal,
 * as pyreft's {@code LoreftIntervention}. No PEFT type exists for it; the artifact names follow
 * PEFT's conventions (see {@code PeftLayout}).
 *
 * @param rank   the rows of {@code R} and {@code W} (pyreft's {@code low_rank_dimension})
 * @param layers the intervened layers; empty means all
 * @param first  intervene on each text's first this many tokens (pyreft's {@code f}); with {@code last}
 *               0 as well, on every token
 * @param last   and on its last this many tokens (pyreft's {@code l})
 */
public record LoreftConfig(int rank, List<Integer> layers, int first, int last) implements DeltaConfig {
    public LoreftConfig {
        if (rank < 1 || rank > 256) {
            throw new IllegalArgumentException("LoReFT rank must be in 1..256, got " + rank);
        }
        if (first < 0 || last < 0) {
            throw new IllegalArgumentException("LoReFT positions must not be negative, got f" + first + "+l" + last);
        }
        layers = layers.stream().sorted().distinct().toList();
    }

    /** Rank 4 in every layer, on every token. */
    public static LoreftConfig defaults() {
        return new LoreftConfig(4, List.of(), 0, 0);
    }

    @Override
    public DeltaKind kind() {
        return DeltaKind.LOREFT;
    }

    @Override
    public DeltaLayout layout() {
        return new DeltaLayout(List.of(new LoreftPiece(rank, layers, first, last)));
    }

    /**
     * {@code R} with random orthonormal rows (as torch's orthogonal initialization), {@code W} as a
     * PyTorch {@code Linear} initializes its weight (uniform in ±1/√in), {@code b} zero.
     */
    @Override
    public float[] initialValues(String tensor, long[] shape, Random random) {
        int count = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
        if (tensor.endsWith(LoreftPiece.BIAS)) {
            return new float[count];
        }
        float[] values = new float[count];
        if (tensor.endsWith(LoreftPiece.ROTATION)) {
            for (int i = 0; i < count; i++) {
                values[i] = (float) random.nextGaussian();
            }
            Orthonormal.columns(values, (int) shape[0], (int) shape[1]);
            return values;
        }
        double bound = 1 / Math.sqrt(shape[0]);
        for (int i = 0; i < count; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return values;
    }

    /** After every optimizer step {@code R}'s rows are made orthonormal again (the paper's constraint). */
    @Override
    public void constrain(Map<String, float[]> parameters, Map<String, long[]> shapes) {
        parameters.forEach((name, values) -> {
            if (name.endsWith(LoreftPiece.ROTATION)) {
                long[] shape = shapes.get(name);
                Orthonormal.columns(values, (int) shape[0], (int) shape[1]);
            }
        });
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", kind().key());
        values.put("r", Integer.toString(rank));
        values.put("layers", ChosenLayers.key(layers));
        values.put("positions", positions());
        return values;
    }

    /** pyreft's notation: {@code all}, or {@code f<first>+l<last>}. */
    public String positions() {
        return first == 0 && last == 0 ? "all" : "f" + first + "+l" + last;
    }
}
