package io.continua.registry.blob;

import io.continua.peft.artifact.DeltaArtifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Blobs as files {@code <dir>/<first two hex digits>/<sha256>}, written to a temp file then renamed. */
public final class LocalBlobStore implements BlobStore {
    private static final Logger log = LoggerFactory.getLogger(LocalBlobStore.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    public LocalBlobStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create blob directory " + dir, e);
        }
    }

    @Override
    public boolean put(String sha256, byte[] bytes) {
        Path target = path(sha256);
        if (!DeltaArtifact.sha256(bytes).equals(sha256)) {
            throw new IllegalArgumentException("Bytes do not hash to " + sha256);
        }
        if (Files.exists(target)) {
            return false;
        }
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
            try {
                Files.write(temp, bytes);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store blob " + sha256, e);
        }
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        try {
            byte[] bytes = Files.readAllBytes(path(sha256));
            if (!DeltaArtifact.sha256(bytes).equals(sha256)) {
                log.error("Blob {} is corrupt on disk (its bytes hash differently); refusing to serve it", sha256);
                return Optional.empty();
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read blob " + sha256, e);
        }
    }

    @Override
    public boolean contains(String sha256) {
        Path path = path(sha256);
        return Files.isRegularFile(path) && Files.isReadable(path);
    }

    @Override
    public void delete(String sha256) {
        try {
            Files.deleteIfExists(path(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete blob " + sha256, e);
        }
    }

    private Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("Not a SHA-256 in lower-case hex: " + sha256);
        }
        return dir.resolve(sha256.substring(0, 2)).resolve(sha256);
    }
}
