package io.continua.peft.serving;

import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderGraph;
import io.continua.peft.graph.EncoderGraphBuilder;
import io.continua.peft.graph.ResidentBase;
import io.continua.peft.runtime.DevicePlacement;
import io.continua.peft.runtime.TensorFlowRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

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
    /** Bumped whenever the exported graph changes shape, so stale exports are never reused. */
    private static final String GRAPH_VERSION = "v2";

    private ServingExport() {
    }

    /** The export of {@code layout} on {@code encoder} under {@code root}, written on first use and reused afterwards. */
    public static Path ensureExported(PretrainedEncoder encoder, DeltaLayout layout, DevicePlacement device, Path root) {
        Path dir = root.resolve(directoryName(encoder, layout));
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir;
        }
        TensorFlowRuntime.ensureStarted();
        long started = System.nanoTime();
        try {
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, ".export-");
            Files.delete(staging);
            write(encoder, layout, device, staging);
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
        log.info("Exported serving model of {} for layout {} to {} in {} ms", encoder.name(), layout.key(), dir,
                (System.nanoTime() - started) / 1_000_000);
        return dir;
    }

    private static void write(PretrainedEncoder encoder, DeltaLayout layout, DevicePlacement device, Path dir)
            throws IOException {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph).withDevice(device.spec());
            ResidentBase base = ResidentBase.declare(tf, encoder.weights());
            EncoderGraph encoderGraph = EncoderGraphBuilder.mixed(tf, encoder.architecture(), base, layout);
            try (Session session = new Session(graph, device.sessionConfig())) {
                base.restore(session);
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
                .output(EncoderGraph.LOGITS, graph.logits())
                .output(EncoderGraph.PROBABILITIES, graph.probabilities())
                .output(EncoderGraph.POOLED, graph.pooled());
        graph.inputs().forEach(signature::input);
        return signature.build();
    }

    /** One directory per exact base (fingerprint), layout and graph version. */
    private static String directoryName(PretrainedEncoder encoder, DeltaLayout layout) {
        String fingerprint = encoder.fingerprint();
        String hash = fingerprint.substring(fingerprint.indexOf(':') + 1, Math.min(fingerprint.length(),
                fingerprint.indexOf(':') + 17));
        return encoder.name() + "-" + hash + "-" + DeltaArtifact.sha256(layout.key().getBytes(StandardCharsets.UTF_8))
                .substring(0, 12) + "-" + GRAPH_VERSION;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
