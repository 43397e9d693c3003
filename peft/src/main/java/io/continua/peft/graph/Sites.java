package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a {@link DeltaPiece} may use while it adds its operations to the encoder: the ops builder,
 * its own delta tensors (stacked: a leading axis indexes the deltas of a mixed batch), and helpers
 * that apply per-delta factors to the packed tokens or texts of the batch.
 */
public interface Sites {
    Ops tf();

    EncoderArchitecture architecture();

    /** The stacked input for one of the piece's {@link TensorSpec}s: {@code [deltas, ...shape]}. */
    Operand<TFloat32> delta(String name);

    /**
     * Applies per-delta work to packed token rows: {@code tokens} {@code [tokens, in]} is laid out
     * as {@code [deltas, tokensPerDelta, in]}, {@code perDelta} maps that to
     * {@code [deltas, tokensPerDelta, out]}, and the result comes back as {@code [tokens, out]}.
     */
    Operand<TFloat32> perToken(Operand<TFloat32> tokens, UnaryOperator<Operand<TFloat32>> perDelta);

    /** As {@link #perToken}, for one row per text ({@code [texts, in]}). */
    Operand<TFloat32> perText(Operand<TFloat32> texts, UnaryOperator<Operand<TFloat32>> perDelta);

    /** Each text's index in the delta stack: {@code [texts]} (all 0 with one delta). */
    Operand<TInt32> deltaOfText();

    /** Each packed token's index in the delta stack: {@code [tokens]} (all 0 with one delta). */
    Operand<TInt32> deltaOfToken();

    /**
     * The frozen query, key and value projections of {@code layer} applied to {@code rows}
     * {@code [n, hidden]}: {@code [n, 3 * hidden]}, in that order.
     */
    Operand<TFloat32> frozenQueryKeyValue(int layer, Operand<TFloat32> rows);

    /** Each packed token's position in its text, from 0 (virtual tokens first): {@code [tokens]}. */
    Operand<TInt32> positions();

    /** Each packed token's position counted from its text's end (the last token is 0): {@code [tokens]}. */
    Operand<TInt32> positionsFromEnd();

    /** The batched product {@code x y} over leading axes (per delta), in the form this runtime runs fastest. */
    Operand<TFloat32> batchMatMul(Operand<TFloat32> x, Operand<TFloat32> y);

    /** A stacked per-delta vector {@code [deltas, n]} shaped to broadcast over {@code [deltas, rows, n]}. */
    Operand<TFloat32> broadcastPerDelta(Operand<TFloat32> stacked);

    /**
     * Dropout on a piece's input while training (a fresh random stream per call site, the rate and a
     * per-step seed fed); the identity in inference graphs and in training graphs built without it.
     */
    Operand<TFloat32> dropout(Operand<TFloat32> input);
}
