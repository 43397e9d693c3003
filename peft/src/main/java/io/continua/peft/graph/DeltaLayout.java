package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What shapes a delta's graph: the pieces its kind adds to the encoder, and the classifier head
 * every delta has. Deltas of one layout run on one graph (built on first need, then cached) and can
 * share an inference batch; a delta of a known layout is swapped in by feeding other tensors.
 */
public record DeltaLayout(List<DeltaPiece> pieces) {
    public static final String HEAD_WEIGHT = "head.weight";
    public static final String HEAD_BIAS = "head.bias";
    /** The bias of a padded (absent) label in a stack of heads: its probability is 0. */
    static final float ABSENT_LABEL_BIAS = -1e9f;

    public DeltaLayout {
        pieces = List.copyOf(pieces);
    }

    /** Just the classifier head on the frozen encoder. */
    public static DeltaLayout headOnly() {
        return new DeltaLayout(List.of());
    }

    /** Equal for deltas that run on the same graph, e.g. {@code head+lora(r=8;query,value;all)}. */
    public String key() {
        return "head" + pieces.stream().map(piece -> "+" + piece.layoutKey()).collect(Collectors.joining());
    }

    /**
     * Rows each text gets before its real tokens (prompt tuning's soft prompt): part of the batch
     * layout, so every {@link PackedBatch} for this layout is built with them.
     */
    public int virtualTokens() {
        return pieces.stream().mapToInt(DeltaPiece::virtualTokens).sum();
    }

    /** Every tensor a delta of this layout feeds: the pieces' and the head's ({@code [hidden, labels]}, {@code [labels]}). */
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        List<TensorSpec> tensors = new ArrayList<>();
        pieces.forEach(piece -> tensors.addAll(piece.tensors(architecture)));
        tensors.add(new TensorSpec(HEAD_WEIGHT, new long[] {architecture.hiddenSize(), -1}, 0f,
                TensorSpec.Role.TRAINED));
        tensors.add(new TensorSpec(HEAD_BIAS, new long[] {-1}, ABSENT_LABEL_BIAS, TensorSpec.Role.TRAINED));
        return tensors;
    }

    @Override
    public String toString() {
        return key();
    }
}
