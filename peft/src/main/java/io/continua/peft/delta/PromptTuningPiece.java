package io.continua.peft.delta;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.graph.DeltaPiece;
import io.continua.peft.graph.Sites;
import io.continua.peft.graph.TensorSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Prompt tuning in the graph: every text starts with {@code virtualTokens} rows (the packed batch
 * makes room for them), whose word embeddings are the delta's soft prompt; position embeddings are
 * added and the sum normalized as for any token, so the prompt then flows through every layer with
 * the text. In a mixed batch each text reads its own delta's prompt.
 */
public record PromptTuningPiece(int virtualTokens) implements DeltaPiece {
    /** PEFT's name for a prompt-learning method's trained embeddings. */
    public static final String EMBEDDINGS = "prompt_embeddings";

    @Override
    public String layoutKey() {
        return "prompt_tuning(v=" + virtualTokens + ")";
    }

    @Override
    public List<TensorSpec> tensors(EncoderArchitecture architecture) {
        return List.of(TensorSpec.trained(EMBEDDINGS, virtualTokens, architecture.hiddenSize()));
    }

    @Override
    public Operand<TFloat32> wordEmbeddings(Sites sites, Operand<TFloat32> words) {
        Ops tf = sites.tf();
        Operand<TInt32> position = sites.positions();
        Operand<TInt32> row = tf.math.add(tf.math.mul(sites.deltaOfToken(), tf.constant(virtualTokens)),
                tf.math.minimum(position, tf.constant(virtualTokens - 1)));
        Operand<TFloat32> prompts = tf.gather(tf.reshape(sites.delta(EMBEDDINGS),
                tf.constant(new int[] {-1, sites.architecture().hiddenSize()})), row, tf.constant(0));
        Operand<TFloat32> virtual = tf.expandDims(tf.dtypes.cast(tf.math.less(position, tf.constant(virtualTokens)),
                TFloat32.class), tf.constant(-1));
        return tf.math.add(tf.math.mul(words, tf.math.sub(tf.constant(1f), virtual)), tf.math.mul(prompts, virtual));
    }
}
