package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.runtime.DevicePlacement;
import io.continua.peft.runtime.Precision;
import io.continua.peft.runtime.TensorFlowRuntime;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * The encoder for in-process work (training and evaluation): one TensorFlow graph and one session
 * per process and encoder, with the frozen base resident in it as variables, restored once and
 * never fed again. Each {@link DeltaLayout}'s graphs are added to that graph the first time a
 * delta of the layout needs them, and kept; any number of domains share them. Thread-safe: graphs
 * are added one at a time, and the session runs concurrent calls.
 */
public final class EncoderRuntime {
    private static final Logger log = LoggerFactory.getLogger(EncoderRuntime.class);
    private static final Map<String, EncoderRuntime> RUNNING = new ConcurrentHashMap<>();

    private final PretrainedEncoder encoder;
    private final DevicePlacement device;
    private final Precision precision;
    private final Graph graph;
    private final Ops tf;
    private final Session session;
    private final ResidentBase base;
    private final Map<String, Object> built = new HashMap<>();
    private int scopes;

    private EncoderRuntime(PretrainedEncoder encoder, DevicePlacement device, Precision precision) {
        TensorFlowRuntime.ensureStarted();
        long started = System.nanoTime();
        this.encoder = encoder;
        this.device = device;
        this.precision = precision;
        this.graph = new Graph();
        this.tf = Ops.create(graph).withDevice(device.spec());
        this.base = ResidentBase.declare(tf, encoder.weights(), EnumSet.of(Precision.FP32, precision));
        this.session = new Session(graph, device.sessionConfig());
        base.restore(session);
        log.info("Encoder {} resident on {} in {} ms ({} inference)", encoder.name(), device,
                (System.nanoTime() - started) / 1_000_000, precision.key());
    }

    /**
     * The process's runtime for this encoder, on the configured device and with inference in the
     * configured precision ({@link DevicePlacement#configured()}, {@link Precision#configured()}).
     */
    public static EncoderRuntime of(PretrainedEncoder encoder) {
        return RUNNING.computeIfAbsent(encoder.fingerprint(),
                fingerprint -> new EncoderRuntime(encoder, DevicePlacement.configured(), Precision.configured()));
    }

    public PretrainedEncoder encoder() {
        return encoder;
    }

    public EncoderArchitecture architecture() {
        return encoder.architecture();
    }

    public DevicePlacement device() {
        return device;
    }

    /** The single-delta inference graph of a layout: what evaluation runs. */
    public ForwardGraph forward(DeltaLayout layout) {
        return graphFor("forward:" + layout.key(), scope -> new ForwardGraph(session,
                EncoderGraphBuilder.inference(scope, architecture(), base, layout, precision), layout, architecture()));
    }

    /** The mixed inference graph of a layout: one batch, texts of several deltas of that layout. */
    public ForwardGraph mixed(DeltaLayout layout) {
        return graphFor("mixed:" + layout.key(), scope -> new ForwardGraph(session,
                EncoderGraphBuilder.mixed(scope, architecture(), base, layout, precision), layout, architecture()));
    }

    /**
     * Adds a graph to the process graph the first time {@code key} is asked for, under a scope of
     * its own; returns the cached one afterwards. The builder gets the scoped ops, the session, the
     * resident base and the graph (for gradients).
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T graphFor(String key, Function<Ops, T> builder) {
        Object existing = built.get(key);
        if (existing == null) {
            long started = System.nanoTime();
            existing = builder.apply(tf.withSubScope("g" + scopes++));
            built.put(key, existing);
            log.info("Built graph {} in {} ms", key, (System.nanoTime() - started) / 1_000_000);
        }
        return (T) existing;
    }

    public Session session() {
        return session;
    }

    public Graph graph() {
        return graph;
    }

    public ResidentBase base() {
        return base;
    }
}
