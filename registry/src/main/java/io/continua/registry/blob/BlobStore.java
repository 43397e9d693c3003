package io.continua.registry.blob;

import java.util.Optional;

/**
 * Content-addressed artifact storage: a blob's id is the SHA-256 of its bytes. A local directory
 * implements it now; shared storage (an object store) can implement it for several registries.
 */
public interface BlobStore {
    /** Stores the bytes under their SHA-256 atomically; returns whether they were new. */
    boolean put(String sha256, byte[] bytes);

    /** The bytes, checked against their id; a blob that fails the check is treated as missing. */
    Optional<byte[]> get(String sha256);

    boolean contains(String sha256);

    void delete(String sha256);
}
