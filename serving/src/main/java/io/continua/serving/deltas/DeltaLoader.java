package io.continua.serving.deltas;

import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.artifact.DeltaArtifactReader;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.peft.delta.Delta;
import io.continua.peft.serving.DjlEncoder;
import io.continua.peft.serving.ServingDelta;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.schemas.DeltaVersion;
import java.util.List;

/**
 * Turns a registered version into a {@link LoadedDelta}: fetches its archive, checks the bytes
 * against the SHA-256 the log recorded, validates the archive and builds the delta's tensors. The
 * first delta of a layout also exports and loads that layout's model and runs it once (TensorFlow
 * optimizes a graph on its first run), so the first request after a swap pays no extra cost; a
 * delta of a layout already in service runs on a warm model and is not run here, so swapping it in
 * takes no turn on the inference path.
 */
public final class DeltaLoader implements VersionLoader {
    private final ArtifactSource artifacts;
    private final DeltaArtifactReader reader;
    private final DjlEncoder encoder;
    private final TextTokenizer tokenizer;

    public DeltaLoader(ArtifactSource artifacts, DjlEncoder encoder, TextTokenizer tokenizer) {
        this.artifacts = artifacts;
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.reader = new DeltaArtifactReader(encoder.encoder().fingerprint(), encoder.encoder().architecture(),
                DeltaArtifactReader.DEFAULT_MAX_BYTES);
    }

    @Override
    public LoadedDelta load(DeltaVersion version) {
        byte[] archive = artifacts.fetch(version.getDomain(), version.getVersion());
        String sha256 = DeltaArtifact.sha256(archive);
        if (!sha256.equals(version.getSha256())) {
            throw new IllegalStateException("Checksum mismatch for " + version.getDomain() + "/" + version.getVersion()
                    + ": the archive hashes to " + sha256 + ", the log records " + version.getSha256());
        }
        LoadedArtifact artifact = reader.read(archive);
        Delta delta = artifact.delta();
        boolean newLayout = !encoder.loadedLayouts().contains(delta.config().layout().key());
        ServingDelta tensors = encoder.prepare(delta);
        if (newLayout) {
            try {
                encoder.run(tokenizer.tokenize(List.of("warm up")), tensors);
            } catch (RuntimeException e) {
                tensors.close();
                throw e;
            }
        }
        return new LoadedDelta(version.getVersion(), delta.labels(), tensors);
    }
}
