package io.continua.peft.serving;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaSlot;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.EncoderGraphBuilder;
import io.continua.peft.graph.FrozenBase;
import io.continua.peft.runtime.TensorFlowRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Writes the encoder once as a TensorFlow SavedModel for DJL: the frozen base lives in the model
 * as variables, and the signature {@code serving_default} takes the token ids, the attention mask
 * and every {@link DeltaSlot} as inputs, so swapping a delta only changes what is fed. Outputs:
 * {@code logits}, {@code probabilities} and {@code pooled}.
 */
public final class ServingExport {
    private static final Logger log = LoggerFactory.getLogger(ServingExport.class);
    private static final String COMPLETE = "saved_model.pb";

    private ServingExport() {
    }

    /** The export of {@code encoder} under {@code root}, written on first use and reused afterwards. */
    public static Path ensureExported(PretrainedEncoder encoder, Path root) {
        Path dir = root.resolve(directoryName(encoder));
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir;
        }
        TensorFlowRuntime.ensureStarted();
        long started = System.nanoTime();
        try {
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, ".export-");
            Files.delete(staging);
            write(encoder, staging);
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                deleteRecursively(staging);
                if (!Files.exists(dir.resolve(COMPLETE))) {
                    throw raced;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot export the serving model to " + dir, e);
        }
        log.info("Exported serving model of {} to {} in {} ms", encoder.name(), dir,
                (System.nanoTime() - started) / 1_000_000);
        return dir;
    }

    private static void write(PretrainedEncoder encoder, Path dir) throws IOException {
        FrozenBase base = FrozenBase.of(encoder);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            List<Operand<?>> assignments = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Placeholder<TFloat32>> initialValues = new ArrayList<>();
            EncoderGraph encoderGraph = EncoderGraphBuilder.build(tf, encoder.architecture(), (name, shape) -> {
                Variable<TFloat32> variable = tf.withName(FrozenBase.placeholderName(name))
                        .variable(Shape.of(shape), TFloat32.class);
                Placeholder<TFloat32> initial = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
                assignments.add(tf.assign(variable, initial));
                names.add(name);
                initialValues.add(initial);
                return variable;
            });
            try (Session session = new Session(graph)) {
                Session.Runner runner = session.runner();
                for (int i = 0; i < names.size(); i++) {
                    runner.feed(initialValues.get(i), base.tensor(names.get(i)));
                    runner.addTarget(assignments.get(i).op());
                }
                runner.run();
                SavedModelBundle.exporter(dir.toString())
                        .withSession(session)
                        .withFunction(SessionFunction.create(signature(encoderGraph), session))
                        .export();
            }
        }
    }

    private static Signature signature(EncoderGraph graph) {
        Signature.Builder signature = Signature.builder()
                .key(Signature.DEFAULT_KEY)
                .input(EncoderGraph.INPUT_IDS, graph.inputIds())
                .input(EncoderGraph.ATTENTION_MASK, graph.attentionMask())
                .output(EncoderGraph.LOGITS, graph.logits())
                .output(EncoderGraph.PROBABILITIES, graph.probabilities())
                .output(EncoderGraph.POOLED, graph.pooled());
        graph.deltaInputs().forEach(signature::input);
        return signature.build();
    }

    /** One directory per exact base (fingerprint) and per graph layout version. */
    private static String directoryName(PretrainedEncoder encoder) {
        String fingerprint = encoder.fingerprint();
        String hash = fingerprint.substring(fingerprint.indexOf(':') + 1, Math.min(fingerprint.length(),
                fingerprint.indexOf(':') + 17));
        return encoder.name() + "-" + hash + "-v1";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
