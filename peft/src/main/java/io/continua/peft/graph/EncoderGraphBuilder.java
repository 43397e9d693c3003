package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.EncoderWeights;
import io.continua.peft.encoder.Projection;
import io.continua.peft.runtime.Precision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Builds the padding-free BERT encoder of one {@link DeltaLayout} on a {@link ResidentBase}:
 * embeddings, projections, feed-forward blocks, layer norms and residuals run on the packed real
 * tokens {@code [tokens, hidden]}; only attention lays them out per text ({@code [texts, longest]},
 * padded slots masked), and mean pooling reads that same layout. The layout's pieces add their ops
 * at the encoder's named sites; the classifier head closes every graph.
 */
public final class EncoderGraphBuilder implements Sites {
    private final Ops tf;
    private final EncoderArchitecture architecture;
    private final ResidentBase base;
    private final DeltaLayout layout;
    private final boolean mixed;
    private final boolean withDropout;
    private final boolean differentiable;
    private final Precision precision;
    private final Map<String, Placeholder<TInt32>> indexInputs = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> deltaInputs = new LinkedHashMap<>();
    /** Grouped copies of packed activations, so pieces reading the same input share one gather. */
    private final Map<Output<?>, Operand<TFloat32>> groupedTokens = new HashMap<>();

    private Placeholder<TFloat32> attentionMask;
    private Operand<TInt32> textsAndLongest;
    private Placeholder<TFloat32> dropoutRate;
    private Placeholder<TInt64> dropoutSeed;
    private int dropoutStreams;

    private EncoderGraphBuilder(Ops tf, EncoderArchitecture architecture, ResidentBase base, DeltaLayout layout,
                                boolean mixed, boolean differentiable, boolean withDropout, Precision precision) {
        this.tf = tf;
        this.architecture = architecture;
        this.base = base;
        this.layout = layout;
        this.mixed = mixed;
        this.differentiable = differentiable;
        this.withDropout = withDropout;
        this.precision = precision;
    }

    /** One delta per run, forward only, products in {@code precision}: what evaluation uses. */
    public static EncoderGraph inference(Ops tf, EncoderArchitecture architecture, ResidentBase base,
                                         DeltaLayout layout, Precision precision) {
        return new EncoderGraphBuilder(tf, architecture, base, layout, false, false, false, precision).build();
    }

    /**
     * One delta per run, every op differentiable and in float32, optionally with dropout inputs:
     * what training uses.
     */
    public static EncoderGraph training(Ops tf, EncoderArchitecture architecture, ResidentBase base,
                                        DeltaLayout layout, boolean withDropout) {
        return new EncoderGraphBuilder(tf, architecture, base, layout, false, true, withDropout, Precision.FP32)
                .build();
    }

    /**
     * A stack of deltas of the layout per run, each text using one of them, products in
     * {@code precision}: what serving uses.
     */
    public static EncoderGraph mixed(Ops tf, EncoderArchitecture architecture, ResidentBase base, DeltaLayout layout,
                                     Precision precision) {
        return new EncoderGraphBuilder(tf, architecture, base, layout, true, false, false, precision).build();
    }

    private EncoderGraph build() {
        Placeholder<TInt32> tokenIds = index(EncoderGraph.TOKEN_IDS, -1);
        Placeholder<TInt32> positions = index(EncoderGraph.POSITIONS, -1);
        index(EncoderGraph.ATTENTION_GATHER, -1);
        index(EncoderGraph.ATTENTION_SCATTER, -1);
        attentionMask = tf.withName(EncoderGraph.ATTENTION_MASK).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, -1)));
        textsAndLongest = tf.shape(attentionMask);
        if (mixed) {
            index(EncoderGraph.TOKEN_GROUP_GATHER, -1, -1);
            index(EncoderGraph.TOKEN_GROUP_SCATTER, -1);
            index(EncoderGraph.ROW_GROUP_GATHER, -1, -1);
            index(EncoderGraph.ROW_GROUP_SCATTER, -1);
        }
        for (TensorSpec spec : layout.tensors(architecture)) {
            deltaInputs.put(spec.name(), tf.withName(spec.name()).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(spec.stackedShape()))));
        }
        if (withDropout) {
            dropoutRate = tf.withName(EncoderGraph.DROPOUT_RATE).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.scalar()));
            dropoutSeed = tf.withName(EncoderGraph.DROPOUT_SEED).placeholder(TInt64.class,
                    Placeholder.shape(Shape.of(2)));
        }

        Operand<TFloat32> hidden = embeddings(tokenIds, positions);
        for (DeltaPiece piece : layout.pieces()) {
            hidden = piece.embeddings(this, hidden);
        }
        for (int layer = 0; layer < architecture.layers(); layer++) {
            hidden = layer(layer, hidden);
        }
        Operand<TFloat32> pooled = meanPool(hidden);
        for (DeltaPiece piece : layout.pieces()) {
            pooled = piece.pooled(this, pooled);
        }
        pooled = tf.withName(EncoderGraph.POOLED).identity(pooled);
        Operand<TFloat32> logits = tf.withName(EncoderGraph.LOGITS).identity(perText(pooled, grouped ->
                tf.math.add(batchMatMul(grouped, delta(DeltaLayout.HEAD_WEIGHT)),
                        broadcastPerDelta(delta(DeltaLayout.HEAD_BIAS)))));
        Operand<TFloat32> probabilities = tf.withName(EncoderGraph.PROBABILITIES).nn.softmax(logits);
        return new EncoderGraph(mixed, indexInputs, attentionMask, deltaInputs, pooled, logits, probabilities,
                Optional.ofNullable(dropoutRate), Optional.ofNullable(dropoutSeed));
    }

    private Placeholder<TInt32> index(String name, long... shape) {
        Placeholder<TInt32> input = tf.withName(name).placeholder(TInt32.class, Placeholder.shape(Shape.of(shape)));
        indexInputs.put(name, input);
        return input;
    }

    /** Word embedding plus position (and token type 0) embedding, normalized: {@code [tokens, hidden]}. */
    private Operand<TFloat32> embeddings(Operand<TInt32> tokenIds, Operand<TInt32> positions) {
        Operand<TInt32> axis = tf.constant(0);
        Operand<TFloat32> words = tf.gather(base.get(EncoderWeights.WORD_EMBEDDINGS), tokenIds, axis);
        for (DeltaPiece piece : layout.pieces()) {
            words = piece.wordEmbeddings(this, words);
        }
        Operand<TFloat32> where = tf.gather(base.get(ResidentBase.POSITION_AND_TYPE), positions, axis);
        return layerNorm(tf.math.add(words, where), EncoderWeights.EMBEDDINGS_NORM);
    }

    private Operand<TFloat32> layer(int layer, Operand<TFloat32> input) {
        Operand<TFloat32> attention = dense(layer, Projection.ATTENTION_OUTPUT, selfAttention(layer, input));
        for (DeltaPiece piece : layout.pieces()) {
            attention = piece.attentionOutput(this, layer, attention);
        }
        Operand<TFloat32> afterAttention = layerNorm(tf.math.add(attention, input), EncoderWeights.attentionNorm(layer));
        Operand<TFloat32> activated = activatedDense(layer, Projection.INTERMEDIATE, afterAttention);
        for (DeltaPiece piece : layout.pieces()) {
            activated = piece.feedForwardActivation(this, layer, activated);
        }
        Operand<TFloat32> output = dense(layer, Projection.OUTPUT, activated);
        for (DeltaPiece piece : layout.pieces()) {
            output = piece.layerOutput(this, layer, output);
        }
        Operand<TFloat32> result = layerNorm(tf.math.add(output, afterAttention), EncoderWeights.outputNorm(layer));
        for (DeltaPiece piece : layout.pieces()) {
            result = piece.blockOutput(this, layer, result);
        }
        return result;
    }

    /**
     * Query, key and value in one product on the packed tokens; the pieces may adapt each; then
     * attention per text on {@code [texts, heads, longest, head_size]}, and the context back to
     * packed rows. Query, key and value travel to the per-text layout together: one gather and one
     * transpose, not three.
     */
    private Operand<TFloat32> selfAttention(int layer, Operand<TFloat32> input) {
        Operand<TFloat32> fused = linear(input, ResidentBase.qkvWeight(layer), ResidentBase.qkvBias(layer), false);
        List<Output<TFloat32>> parts = tf.split(tf.constant(1), fused, 3L).output();
        Operand<TFloat32> query = adapt(layer, Projection.QUERY, input, parts.get(0));
        Operand<TFloat32> key = adapt(layer, Projection.KEY, input, parts.get(1));
        Operand<TFloat32> value = adapt(layer, Projection.VALUE, input, parts.get(2));
        boolean adapted = query != parts.get(0) || key != parts.get(1) || value != parts.get(2);
        Operand<TFloat32> qkv = adapted ? tf.concat(List.of(query, key, value), tf.constant(1)) : fused;

        Operand<TFloat32> slots = tf.gather(qkv, indexInputs.get(EncoderGraph.ATTENTION_GATHER), tf.constant(0));
        Operand<TInt32> shape = tf.concat(List.of(textsAndLongest,
                tf.constant(new int[] {3, architecture.heads(), architecture.headSize()})), tf.constant(0));
        Operand<TFloat32> perText = tf.linalg.transpose(tf.reshape(slots, shape),
                tf.constant(new int[] {2, 0, 3, 1, 4}));
        List<Output<TFloat32>> heads = tf.split(tf.constant(0), perText, 3L).output();
        Operand<TFloat32> scaledQuery = tf.math.mul(heads.get(0),
                tf.constant((float) (1 / Math.sqrt(architecture.headSize()))));
        Operand<TFloat32> keys = heads.get(1);
        Operand<TFloat32> values = heads.get(2);
        Operand<TFloat32> visible = attentionMask;
        List<AttentionPrefix> gated = new ArrayList<>();
        for (DeltaPiece piece : layout.pieces()) {
            Optional<AttentionPrefix> prefix = piece.attentionPrefix(this, layer);
            if (prefix.isPresent() && prefix.get().gate().isPresent()) {
                gated.add(prefix.get());
            } else if (prefix.isPresent()) {
                keys = tf.concat(List.of(perHead(prefix.get().keys()), keys), tf.constant(3));
                values = tf.concat(List.of(perHead(prefix.get().values()), values), tf.constant(3));
                visible = tf.concat(List.of(alwaysVisible(prefix.get()), visible), tf.constant(1));
            }
        }
        Operand<TFloat32> scores = tf.math.add(batchMatMul(scaledQuery, keys, true), attentionBias(visible));
        Operand<TFloat32> context = batchMatMul(tf.nn.softmax(scores), values, false);
        for (AttentionPrefix prefix : gated) {
            Operand<TFloat32> weights = tf.nn.softmax(batchMatMul(scaledQuery, perHead(prefix.keys()), true));
            Operand<TFloat32> gate = tf.reshape(prefix.gate().orElseThrow(), tf.constant(new int[] {1, -1, 1, 1, 1}));
            context = tf.math.add(context, tf.math.mul(gate, batchMatMul(weights, perHead(prefix.values()), false)));
        }
        Operand<TFloat32> rows = tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 1, 3, 2, 4})),
                tf.constant(new int[] {-1, architecture.hiddenSize()}));
        return tf.gather(rows, indexInputs.get(EncoderGraph.ATTENTION_SCATTER), tf.constant(0));
    }

    /**
     * {@code [texts, n]} ones for a prefix's keys, shaped from the batch's inputs rather than the
     * keys, so that no gradient path runs through the mask.
     */
    private Operand<TFloat32> alwaysVisible(AttentionPrefix prefix) {
        return tf.fill(tf.concat(List.of(texts(), tf.constant(new int[] {prefixLength(prefix.keys())})),
                tf.constant(0)), tf.constant(1f));
    }

    /** The batch's text count as a one-element shape. */
    private Operand<TInt32> texts() {
        return tf.slice(textsAndLongest, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    }

    private static int prefixLength(Operand<TFloat32> rows) {
        long n = rows.shape().get(1);
        if (n < 0) {
            throw new IllegalStateException("An attention prefix needs a static length, got " + rows.shape());
        }
        return (int) n;
    }

    /** Per-text rows {@code [texts, n, hidden]} as attention's {@code [1, texts, heads, n, head_size]}. */
    private Operand<TFloat32> perHead(Operand<TFloat32> rows) {
        Operand<TFloat32> split = tf.reshape(rows, tf.concat(List.of(texts(), tf.constant(new int[] {
                prefixLength(rows), architecture.heads(), architecture.headSize()})), tf.constant(0)));
        return tf.expandDims(tf.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3})), tf.constant(0));
    }

    /**
     * A key slot that is not visible (padding, {@code visible} 0) gets the lowest float added to its
     * attention scores, as the ONNX export does.
     */
    private Operand<TFloat32> attentionBias(Operand<TFloat32> visible) {
        Operand<TFloat32> blocked = tf.math.mul(tf.math.sub(tf.constant(1f), visible),
                tf.constant(-Float.MAX_VALUE));
        return tf.expandDims(tf.expandDims(blocked, tf.constant(1)), tf.constant(1));
    }

    /** {@code x W + b} with the frozen weights, then whatever the pieces add to this projection. */
    private Operand<TFloat32> dense(int layer, Projection projection, Operand<TFloat32> input) {
        return adapt(layer, projection, input, linear(input, projection.weightName(layer),
                projection.biasName(layer), false));
    }

    /**
     * {@code gelu(dense(x))}. When no piece adapts the projection, the GELU is built right on the
     * product, where oneDNN fuses it into the matrix multiplication; otherwise it follows the
     * pieces' changes.
     */
    private Operand<TFloat32> activatedDense(int layer, Projection projection, Operand<TFloat32> input) {
        Operand<TFloat32> frozen = linear(input, projection.weightName(layer), projection.biasName(layer), false);
        Operand<TFloat32> adapted = adapt(layer, projection, input, frozen);
        return adapted == frozen ? linear(input, projection.weightName(layer), projection.biasName(layer), true)
                : gelu(adapted);
    }

    /** A frozen linear layer, its product in the graph's precision, its result in float32. */
    private Operand<TFloat32> linear(Operand<TFloat32> input, String weight, String bias, boolean activated) {
        if (precision == Precision.BF16) {
            Operand<TBfloat16> product = tf.nn.biasAdd(tf.linalg.matMul(tf.dtypes.cast(input, TBfloat16.class),
                    base.bf16(weight)), base.bf16(bias));
            return tf.dtypes.cast(activated ? gelu(product) : product, TFloat32.class);
        }
        Operand<TFloat32> product = tf.nn.biasAdd(tf.linalg.matMul(input, base.get(weight)), base.get(bias));
        return activated ? gelu(product) : product;
    }

    private Operand<TFloat32> adapt(int layer, Projection projection, Operand<TFloat32> input,
                                    Operand<TFloat32> output) {
        for (DeltaPiece piece : layout.pieces()) {
            output = piece.projection(this, layer, projection, input, output);
        }
        return output;
    }

    /**
     * Layer norm over the hidden axis. Inference graphs write it as TensorFlow's Keras layer writes
     * it (a batch norm in training mode over {@code [1, tokens, hidden, 1]}, channels first, then
     * gamma and beta), which oneDNN's graph rewrite replaces with one fused kernel; training graphs
     * spell it out in differentiable ops (the fused form has no gradient in TensorFlow's C++ API).
     */
    private Operand<TFloat32> layerNorm(Operand<TFloat32> input, String name) {
        return differentiable ? plainLayerNorm(input, name) : fusableLayerNorm(input, name);
    }

    private Operand<TFloat32> fusableLayerNorm(Operand<TFloat32> input, String name) {
        Operand<TInt32> shape = tf.shape(input);
        Operand<TInt32> tokens = tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
        Operand<TFloat32> channelsFirst = tf.reshape(input, tf.concat(List.of(tf.constant(new int[] {1}), tokens,
                tf.constant(new int[] {architecture.hiddenSize(), 1})), tf.constant(0)));
        FusedBatchNorm<TFloat32, TFloat32> normalized = tf.nn.fusedBatchNorm(channelsFirst,
                tf.fill(tokens, tf.constant(1f)), tf.fill(tokens, tf.constant(0f)), tf.constant(new float[0]),
                tf.constant(new float[0]), FusedBatchNorm.epsilon(architecture.layerNormEpsilon()),
                FusedBatchNorm.dataFormat("NCHW"), FusedBatchNorm.isTraining(true));
        Operand<TFloat32> back = tf.reshape(normalized.y(), shape);
        return addV2(tf.math.mul(back, base.get(name + ".weight")), base.get(name + ".bias"));
    }

    /**
     * With one delta (training, evaluation) a plain product of its matrices: TensorFlow's MatMul and
     * its gradients are the fastest form there; with a stack, oneDNN's batched product.
     */
    @Override
    public Operand<TFloat32> batchMatMul(Operand<TFloat32> x, Operand<TFloat32> y) {
        if (mixed) {
            return batchMatMul(x, y, false);
        }
        Operand<TInt32> first = tf.constant(0);
        return tf.expandDims(tf.linalg.matMul(tf.squeeze(x, Squeeze.axis(0L)), tf.squeeze(y, Squeeze.axis(0L))), first);
    }

    /** {@code BatchMatMulV2}, which oneDNN runs; the ops API only builds {@code BatchMatMulV3}, which it does not. */
    private Operand<TFloat32> batchMatMul(Operand<TFloat32> x, Operand<TFloat32> y, boolean adjointY) {
        Scope scope = tf.scope();
        OperationBuilder builder = scope.env().opBuilder("BatchMatMulV2", scope.makeOpName("BatchMatMulV2"), scope);
        return scope.apply(builder).addInput(x.asOutput()).addInput(y.asOutput()).setAttr("adj_x", false)
                .setAttr("adj_y", adjointY).build().output(0);
    }

    /** {@code AddV2}, which the fusion pattern names; the ops API only builds the older {@code Add}. */
    private Operand<TFloat32> addV2(Operand<TFloat32> x, Operand<TFloat32> y) {
        Scope scope = tf.scope();
        OperationBuilder builder = scope.env().opBuilder("AddV2", scope.makeOpName("AddV2"), scope);
        return scope.apply(builder).addInput(x.asOutput()).addInput(y.asOutput()).build().output(0);
    }

    private Operand<TFloat32> plainLayerNorm(Operand<TFloat32> input, String name) {
        Operand<TInt32> lastAxis = tf.constant(new int[] {-1});
        Operand<TFloat32> mean = tf.math.mean(input, lastAxis, Mean.keepDims(true));
        Operand<TFloat32> centered = tf.math.sub(input, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), lastAxis, Mean.keepDims(true));
        Operand<TFloat32> normalized = tf.math.mul(centered,
                tf.math.rsqrt(tf.math.add(variance, tf.constant(architecture.layerNormEpsilon()))));
        return tf.math.add(tf.math.mul(normalized, base.get(name + ".weight")), base.get(name + ".bias"));
    }

    /** The exact (erf) GELU that BERT uses, in the type of its input. */
    private <T extends TFloating> Operand<T> gelu(Operand<T> x) {
        Class<T> type = x.type();
        Operand<T> cdf = tf.math.mul(constant(0.5f, type),
                tf.math.add(constant(1f, type), tf.math.erf(tf.math.div(x, constant((float) Math.sqrt(2), type)))));
        return tf.math.mul(x, cdf);
    }

    /** A scalar of the given type; grappler folds the cast of a constant away before the graph runs. */
    private <T extends TFloating> Operand<T> constant(float value, Class<T> type) {
        return tf.dtypes.cast(tf.constant(value), type);
    }

    /** Mean of each text's token vectors, read through attention's per-text layout: {@code [texts, hidden]}. */
    private Operand<TFloat32> meanPool(Operand<TFloat32> packed) {
        Operand<TFloat32> slots = tf.gather(packed, indexInputs.get(EncoderGraph.ATTENTION_GATHER), tf.constant(0));
        Operand<TFloat32> perText = tf.reshape(slots, tf.concat(List.of(textsAndLongest,
                tf.constant(new int[] {architecture.hiddenSize()})), tf.constant(0)));
        Operand<TFloat32> mask = tf.expandDims(realTokens(), tf.constant(-1));
        Operand<TFloat32> summed = tf.reduceSum(tf.math.mul(perText, mask), tf.constant(1));
        Operand<TFloat32> counts = tf.reduceSum(mask, tf.constant(1));
        return tf.math.div(summed, counts);
    }

    /**
     * {@code [texts, longest]}: 1 where a slot holds a real token of the text, 0 for padding and
     * for the layout's virtual tokens, which the text's embedding does not average.
     */
    private Operand<TFloat32> realTokens() {
        int virtual = layout.virtualTokens();
        if (virtual == 0) {
            return attentionMask;
        }
        Operand<TInt32> longest = tf.slice(textsAndLongest, tf.constant(new int[] {1}), tf.constant(new int[] {1}));
        Operand<TInt32> slot = tf.range(tf.constant(0), tf.reshape(longest, tf.constant(new int[0])), tf.constant(1));
        Operand<TFloat32> real = tf.dtypes.cast(tf.math.greaterEqual(slot, tf.constant(virtual)), TFloat32.class);
        return tf.math.mul(attentionMask, tf.expandDims(real, tf.constant(0)));
    }

    @Override
    public Ops tf() {
        return tf;
    }

    @Override
    public EncoderArchitecture architecture() {
        return architecture;
    }

    @Override
    public Operand<TFloat32> delta(String name) {
        Placeholder<TFloat32> input = deltaInputs.get(name);
        if (input == null) {
            throw new IllegalArgumentException("Layout " + layout.key() + " declares no delta tensor " + name);
        }
        return input;
    }

    @Override
    public Operand<TFloat32> perToken(Operand<TFloat32> tokens, UnaryOperator<Operand<TFloat32>> perDelta) {
        Operand<TFloat32> grouped = groupedTokens.computeIfAbsent(tokens.asOutput(), key ->
                group(tokens, EncoderGraph.TOKEN_GROUP_GATHER));
        return ungroup(perDelta.apply(grouped), EncoderGraph.TOKEN_GROUP_SCATTER);
    }

    @Override
    public Operand<TFloat32> perText(Operand<TFloat32> texts, UnaryOperator<Operand<TFloat32>> perDelta) {
        return ungroup(perDelta.apply(group(texts, EncoderGraph.ROW_GROUP_GATHER)), EncoderGraph.ROW_GROUP_SCATTER);
    }

    /** Rows {@code [n, width]} to {@code [deltas, rowsPerDelta, width]}; with one delta, just a leading axis. */
    private Operand<TFloat32> group(Operand<TFloat32> rows, String gather) {
        return mixed ? tf.gather(rows, indexInputs.get(gather), tf.constant(0)) : tf.expandDims(rows, tf.constant(0));
    }

    private Operand<TFloat32> ungroup(Operand<TFloat32> grouped, String scatter) {
        if (!mixed) {
            return tf.squeeze(grouped, Squeeze.axis(0L));
        }
        Operand<TInt32> width = tf.slice(tf.shape(grouped), tf.constant(new int[] {2}), tf.constant(new int[] {1}));
        Operand<TFloat32> rows = tf.reshape(grouped, tf.concat(List.of(tf.constant(new int[] {-1}), width),
                tf.constant(0)));
        return tf.gather(rows, indexInputs.get(scatter), tf.constant(0));
    }

    @Override
    public Operand<TInt32> deltaOfText() {
        return deltaOf(EncoderGraph.ROW_GROUP_GATHER, EncoderGraph.ROW_GROUP_SCATTER, texts());
    }

    @Override
    public Operand<TInt32> deltaOfToken() {
        return deltaOf(EncoderGraph.TOKEN_GROUP_GATHER, EncoderGraph.TOKEN_GROUP_SCATTER, tf.shape(positions()));
    }

    /** A member's group slot is {@code delta * width + rank} (see {@link PackedBatch}), so its delta is the quotient. */
    private Operand<TInt32> deltaOf(String gather, String scatter, Operand<TInt32> members) {
        if (!mixed) {
            return tf.fill(members, tf.constant(0));
        }
        Operand<TInt32> width = tf.reshape(tf.slice(tf.shape(indexInputs.get(gather)), tf.constant(new int[] {1}),
                tf.constant(new int[] {1})), tf.constant(new int[0]));
        return tf.math.floorDiv(indexInputs.get(scatter), width);
    }

    @Override
    public Operand<TFloat32> frozenQueryKeyValue(int layer, Operand<TFloat32> rows) {
        return linear(rows, ResidentBase.qkvWeight(layer), ResidentBase.qkvBias(layer), false);
    }

    @Override
    public Operand<TInt32> positions() {
        return indexInputs.get(EncoderGraph.POSITIONS);
    }

    /**
     * From the inputs attention already has: a token's slot in the per-text layout is
     * {@code text * longest + position}, and a text's length is the sum of its mask.
     */
    @Override
    public Operand<TInt32> positionsFromEnd() {
        Operand<TInt32> longest = tf.reshape(tf.slice(textsAndLongest, tf.constant(new int[] {1}),
                tf.constant(new int[] {1})), tf.constant(new int[0]));
        Operand<TInt32> text = tf.math.floorDiv(indexInputs.get(EncoderGraph.ATTENTION_SCATTER), longest);
        Operand<TInt32> lengths = tf.dtypes.cast(tf.reduceSum(attentionMask, tf.constant(1)), TInt32.class);
        return tf.math.sub(tf.math.sub(tf.gather(lengths, text, tf.constant(0)), positions()), tf.constant(1));
    }

    @Override
    public Operand<TFloat32> broadcastPerDelta(Operand<TFloat32> stacked) {
        return tf.expandDims(stacked, tf.constant(1));
    }

    @Override
    public Operand<TFloat32> dropout(Operand<TFloat32> input) {
        if (!withDropout) {
            return input;
        }
        Operand<TInt64> seed = tf.math.add(dropoutSeed, tf.constant(new long[] {0, ++dropoutStreams}));
        Operand<TFloat32> uniform = tf.random.statelessRandomUniform(tf.shape(input), seed, TFloat32.class);
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(uniform, dropoutRate), TFloat32.class);
        return tf.math.div(tf.math.mul(input, keep), tf.math.sub(tf.constant(1f), dropoutRate));
    }
}
