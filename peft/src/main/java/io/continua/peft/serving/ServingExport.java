package io.continua.peft.serving;

import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.EncoderGraphBuilder;
import io.continua.peft.graph.ResidentBase;
import io.continua.peft.runtime.DevicePlacement;
import io.continua.peft.runtime.Precision;
import io.continua.peft.runtime.TensorFlowRuntime;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;

/**
 * Writes one {@link DeltaLayout}'s mixed-batch encoder as a TensorFlow SavedModel for DJL, once per
 * encoder and layout: the frozen base lives in it as variables, and the signature
 * {@code serving_default} takes the packed batch's inputs, its per-delta layout and the stacked
 * delta tensors, so serving any delta of the layout only changes what is fed. Outputs:
 * {@code logits}, {@code probabilities} and {@code pooled}.
 */
public final class ServingExport {
    private static final Logger log = LoggerFactory.getLogger(ServingExport.class);
    private static final String COMPLETE = "saved_model.pb";

    private ServingExport() {
    }

    /**
     * The export of {@code layout} on {@code encoder} under {@code root}, written on first use and
     * reused afterwards. The directory is named by the base's fingerprint and a hash of the graph
     * itself, so a build whose graph differs (another layout, another encoder graph) never reuses a
     * stale export.
     */
    public static Path ensureExported(PretrainedEncoder encoder, DeltaLayout layout, DevicePlacement device,
                                      Precision precision, Path root) {
        TensorFlowRuntime.ensureStarted();
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph).withDevice(device.spec());
            ResidentBase base = ResidentBase.declare(tf, encoder.weights(), EnumSet.of(precision));
            EncoderGraph encoderGraph = EncoderGraphBuilder.mixed(tf, encoder.architecture(), base, layout, precision);
            Path dir = root.resolve(directoryName(encoder, graph));
            if (!Files.exists(dir.resolve(COMPLETE))) {
                write(graph, base, encoderGraph, layout, device, root, dir);
                log.info("Exported serving model of {} for layout {} ({}) to {}", encoder.name(), layout.key(),
                        precision.key(), dir);
            }
            return dir;
        }
    }

    private static void write(Graph graph, ResidentBase base, EncoderGraph encoderGraph, DeltaLayout layout,
                              DevicePlacement device, Path root, Path dir) {
        try {
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, ".export-");
            Files.delete(staging);
            try (Session session = new Session(graph, device.sessionConfig())) {
                base.restore(session);
                SavedModelBundle.exporter(staging.toString())
                        .withSession(session)
                        .withFunction(SessionFunction.create(signature(encoderGraph), session))
                        .export();
            }
            Files.writeString(staging.resolve("layout.txt"), layout.key() + System.lineSeparator());
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
    }

    private static Signature signature(EncoderGraph graph) {
        Signature.Builder signature = Signature.builder()
                .key(Signature.DEFAULT_KEY)
                .output(EncoderGraph.LOGITS, graph.logits())
                .output(EncoderGraph.PROBABILITIES, graph.probabilities())
                .output(EncoderGraph.POOLED, graph.pooled());
        graph.inputs().forEach(signature::input);
        return signature.build();
    }

    /** {@code <encoder>-<fingerprint prefix>-<graph hash>}: one directory per exact base and exact graph. */
    private static String directoryName(PretrainedEncoder encoder, Graph graph) {
        String fingerprint = encoder.fingerprint();
        String hash = fingerprint.substring(fingerprint.indexOf(':') + 1, Math.min(fingerprint.length(),
                fingerprint.indexOf(':') + 17));
        return encoder.name() + "-" + hash + "-" + DeltaArtifact.sha256(canonical(graph.toGraphDef())).substring(0, 16);
    }

    /** The graph's bytes with attribute maps in key order: TensorFlow's own serialization orders them at random. */
    private static byte[] canonical(GraphDef graphDef) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            graphDef.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
