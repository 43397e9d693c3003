package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.EncoderWeights;
import io.continua.peft.encoder.Projection;
import io.continua.peft.graph.DeltaSlot.AdapterPosition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Builds a BERT encoder with mean pooling and a classifier head in a TensorFlow graph, shaped by
 * the {@link EncoderArchitecture} read from the weights. Every linear projection carries a LoRA
 * branch and every layer two bottleneck adapters, all fed through {@link DeltaSlot} placeholders.
 * The computation works on a flat {@code [batch * length, hidden]} matrix between attention blocks.
 */
public final class EncoderGraphBuilder {
    private final Ops tf;
    private final EncoderArchitecture architecture;
    private final WeightSource weights;
    private final Map<String, Placeholder<TFloat32>> deltaInputs = new LinkedHashMap<>();

    private final boolean loraDropout;

    private Operand<TInt32> batchAndLength;
    private Operand<TFloat32> attentionBias;
    private Operand<TFloat32> loraScaling;
    private Placeholder<TFloat32> dropoutRate;
    private Placeholder<TInt64> dropoutSeed;
    private int dropoutStreams;

    private EncoderGraphBuilder(Ops tf, EncoderArchitecture architecture, WeightSource weights, boolean loraDropout) {
        this.tf = tf;
        this.architecture = architecture;
        this.weights = weights;
        this.loraDropout = loraDropout;
    }

    /** The inference graph: no dropout anywhere. */
    public static EncoderGraph build(Ops tf, EncoderArchitecture architecture, WeightSource weights) {
        return new EncoderGraphBuilder(tf, architecture, weights, false).build();
    }

    /**
     * The training graph: as {@link #build}, plus dropout on every LoRA branch's input, with the rate
     * fed through {@link EncoderGraph#DROPOUT_RATE} and a per-step seed through {@link EncoderGraph#DROPOUT_SEED}.
     */
    public static EncoderGraph buildWithLoraDropout(Ops tf, EncoderArchitecture architecture, WeightSource weights) {
        return new EncoderGraphBuilder(tf, architecture, weights, true).build();
    }

    private EncoderGraph build() {
        for (DeltaSlot slot : DeltaSlot.all(architecture)) {
            deltaInputs.put(slot.name(), tf.withName(slot.name())
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(slot.shape()))));
        }
        loraScaling = deltaInputs.get(DeltaSlot.LORA_SCALING);
        if (loraDropout) {
            dropoutRate = tf.withName(EncoderGraph.DROPOUT_RATE).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.scalar()));
            dropoutSeed = tf.withName(EncoderGraph.DROPOUT_SEED).placeholder(TInt64.class,
                    Placeholder.shape(Shape.of(2)));
        }
        Placeholder<TInt32> ids = tf.withName(EncoderGraph.INPUT_IDS)
                .placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        Placeholder<TInt32> mask = tf.withName(EncoderGraph.ATTENTION_MASK)
                .placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        batchAndLength = tf.shape(ids);
        Operand<TFloat32> maskF = tf.dtypes.cast(mask, TFloat32.class);
        attentionBias = attentionBias(maskF);

        Operand<TFloat32> hidden = embeddings(ids);
        for (int layer = 0; layer < architecture.layers(); layer++) {
            hidden = layer(layer, hidden);
        }
        Operand<TFloat32> pooled = tf.withName(EncoderGraph.POOLED).identity(meanPool(hidden, maskF));
        Operand<TFloat32> logits = tf.withName(EncoderGraph.LOGITS).identity(tf.math.add(
                tf.linalg.matMul(pooled, deltaInputs.get(DeltaSlot.HEAD_WEIGHT)), deltaInputs.get(DeltaSlot.HEAD_BIAS)));
        Operand<TFloat32> probabilities = tf.withName(EncoderGraph.PROBABILITIES).nn.softmax(logits);
        return new EncoderGraph(ids, mask, deltaInputs, pooled, logits, probabilities,
                Optional.ofNullable(dropoutRate), Optional.ofNullable(dropoutSeed));
    }

    /** Word + position + token-type-0 embeddings, normalized; returns {@code [batch * length, hidden]}. */
    private Operand<TFloat32> embeddings(Operand<TInt32> ids) {
        int hidden = architecture.hiddenSize();
        Operand<TFloat32> words = tf.gather(base(EncoderWeights.WORD_EMBEDDINGS,
                architecture.vocabularySize(), hidden), ids, tf.constant(0));
        Operand<TInt32> length = tf.reshape(tf.slice(batchAndLength, tf.constant(new int[] {1}), tf.constant(new int[] {1})),
                tf.constant(new int[] {1}));
        Operand<TFloat32> positions = tf.slice(base(EncoderWeights.POSITION_EMBEDDINGS, architecture.maxPositions(), hidden),
                tf.constant(new int[] {0, 0}), tf.concat(List.of(length, tf.constant(new int[] {hidden})), tf.constant(0)));
        Operand<TFloat32> tokenType = tf.gather(base(EncoderWeights.TOKEN_TYPE_EMBEDDINGS,
                architecture.typeVocabularySize(), hidden), tf.constant(0), tf.constant(0));
        Operand<TFloat32> summed = tf.math.add(tf.math.add(words, positions), tokenType);
        return layerNorm(flatten(summed), EncoderWeights.EMBEDDINGS_NORM);
    }

    private Operand<TFloat32> layer(int layer, Operand<TFloat32> input) {
        Operand<TFloat32> attention = dense(layer, Projection.ATTENTION_OUTPUT, selfAttention(layer, input));
        attention = adapter(layer, AdapterPosition.ATTENTION, attention);
        Operand<TFloat32> afterAttention = layerNorm(tf.math.add(attention, input), EncoderWeights.attentionNorm(layer));
        Operand<TFloat32> intermediate = gelu(dense(layer, Projection.INTERMEDIATE, afterAttention));
        Operand<TFloat32> output = adapter(layer, AdapterPosition.OUTPUT, dense(layer, Projection.OUTPUT, intermediate));
        return layerNorm(tf.math.add(output, afterAttention), EncoderWeights.outputNorm(layer));
    }

    private Operand<TFloat32> selfAttention(int layer, Operand<TFloat32> input) {
        Operand<TFloat32> query = heads(dense(layer, Projection.QUERY, input));
        Operand<TFloat32> key = heads(dense(layer, Projection.KEY, input));
        Operand<TFloat32> value = heads(dense(layer, Projection.VALUE, input));
        Operand<TFloat32> scores = tf.train.batchMatMul(query, key, TFloat32.class, BatchMatMul.adjY(true));
        scores = tf.math.add(tf.math.div(scores, tf.constant((float) Math.sqrt(architecture.headSize()))), attentionBias);
        Operand<TFloat32> context = tf.train.batchMatMul(tf.nn.softmax(scores), value, TFloat32.class);
        Operand<TFloat32> merged = tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3}));
        return tf.reshape(merged, tf.constant(new int[] {-1, architecture.hiddenSize()}));
    }

    /** {@code [batch * length, hidden]} to {@code [batch, heads, length, head_size]}. */
    private Operand<TFloat32> heads(Operand<TFloat32> flat) {
        Operand<TInt32> shape = tf.concat(List.of(batchAndLength,
                tf.constant(new int[] {architecture.heads(), architecture.headSize()})), tf.constant(0));
        return tf.linalg.transpose(tf.reshape(flat, shape), tf.constant(new int[] {0, 2, 1, 3}));
    }

    /** {@code x W + b + scaling * (x A) B}: the frozen projection plus its LoRA branch. */
    private Operand<TFloat32> dense(int layer, Projection projection, Operand<TFloat32> input) {
        int in = projection.inputSize(architecture);
        int out = projection.outputSize(architecture);
        Operand<TFloat32> frozen = tf.math.add(tf.linalg.matMul(input, base(projection.weightName(layer), in, out)),
                base(projection.biasName(layer), out));
        Operand<TFloat32> lora = tf.linalg.matMul(
                tf.linalg.matMul(dropout(input), deltaInputs.get(DeltaSlot.loraA(layer, projection))),
                deltaInputs.get(DeltaSlot.loraB(layer, projection)));
        return tf.math.add(frozen, tf.math.mul(lora, loraScaling));
    }

    /** Inverted dropout with its own random stream per LoRA branch; the identity in inference graphs. */
    private Operand<TFloat32> dropout(Operand<TFloat32> input) {
        if (!loraDropout) {
            return input;
        }
        Operand<TInt64> seed = tf.math.add(dropoutSeed, tf.constant(new long[] {0, ++dropoutStreams}));
        Operand<TFloat32> uniform = tf.random.statelessRandomUniform(tf.shape(input), seed, TFloat32.class);
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(uniform, dropoutRate), TFloat32.class);
        return tf.math.div(tf.math.mul(input, keep), tf.math.sub(tf.constant(1f), dropoutRate));
    }

    /** {@code h + relu(h D + d) U + u}: a bottleneck adapter; with bottleneck 0 and u = 0 it is the identity. */
    private Operand<TFloat32> adapter(int layer, AdapterPosition position, Operand<TFloat32> hidden) {
        Operand<TFloat32> down = tf.nn.relu(tf.math.add(
                tf.linalg.matMul(hidden, deltaInputs.get(DeltaSlot.adapterDown(layer, position))),
                deltaInputs.get(DeltaSlot.adapterDownBias(layer, position))));
        Operand<TFloat32> up = tf.math.add(tf.linalg.matMul(down, deltaInputs.get(DeltaSlot.adapterUp(layer, position))),
                deltaInputs.get(DeltaSlot.adapterUpBias(layer, position)));
        return tf.math.add(hidden, up);
    }

    private Operand<TFloat32> layerNorm(Operand<TFloat32> input, String name) {
        int hidden = architecture.hiddenSize();
        Operand<TInt32> lastAxis = tf.constant(new int[] {-1});
        Operand<TFloat32> mean = tf.math.mean(input, lastAxis, Mean.keepDims(true));
        Operand<TFloat32> centered = tf.math.sub(input, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), lastAxis, Mean.keepDims(true));
        Operand<TFloat32> normalized = tf.math.mul(centered,
                tf.math.rsqrt(tf.math.add(variance, tf.constant(architecture.layerNormEpsilon()))));
        return tf.math.add(tf.math.mul(normalized, base(name + ".weight", hidden)), base(name + ".bias", hidden));
    }

    /** The exact (erf) GELU that BERT uses. */
    private Operand<TFloat32> gelu(Operand<TFloat32> x) {
        Operand<TFloat32> cdf = tf.math.mul(tf.constant(0.5f),
                tf.math.add(tf.constant(1f), tf.math.erf(tf.math.div(x, tf.constant((float) Math.sqrt(2))))));
        return tf.math.mul(x, cdf);
    }

    /** Padding gets the lowest float added to its attention scores, as the ONNX export does. */
    private Operand<TFloat32> attentionBias(Operand<TFloat32> maskF) {
        Operand<TFloat32> blocked = tf.math.mul(tf.math.sub(tf.constant(1f), maskF), tf.constant(-Float.MAX_VALUE));
        Operand<TInt32> shape = tf.stack(List.of(
                tf.gather(batchAndLength, tf.constant(0), tf.constant(0)), tf.constant(1), tf.constant(1),
                tf.gather(batchAndLength, tf.constant(1), tf.constant(0))));
        return tf.reshape(blocked, shape);
    }

    /** Mean of the unpadded token vectors: {@code [batch, hidden]}. */
    private Operand<TFloat32> meanPool(Operand<TFloat32> flat, Operand<TFloat32> maskF) {
        Operand<TFloat32> tokens = tf.reshape(flat, tf.concat(List.of(batchAndLength,
                tf.constant(new int[] {architecture.hiddenSize()})), tf.constant(0)));
        Operand<TFloat32> weights3 = tf.expandDims(maskF, tf.constant(-1));
        Operand<TFloat32> summed = tf.reduceSum(tf.math.mul(tokens, weights3), tf.constant(1));
        Operand<TFloat32> counts = tf.math.maximum(tf.reduceSum(weights3, tf.constant(1)), tf.constant(1e-9f));
        return tf.math.div(summed, counts);
    }

    private Operand<TFloat32> flatten(Operand<TFloat32> tokens) {
        return tf.reshape(tokens, tf.constant(new int[] {-1, architecture.hiddenSize()}));
    }

    private Operand<TFloat32> base(String name, long... shape) {
        return weights.weight(name, shape);
    }
}
