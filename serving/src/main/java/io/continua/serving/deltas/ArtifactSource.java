package io.continua.serving.deltas;

/** Where serving fetches a version's archive: the registry, or in tests a stand-in. */
@FunctionalInterface
public interface ArtifactSource {
    byte[] fetch(String domain, int version);
}
