package io.continua.peft.runtime;

import java.nio.file.Path;

/**
 * Where native libraries (TensorFlow, the tokenizer, JNA's) are unpacked: never {@code $HOME}. The
 * directory is, in order: the {@code continua.cache.dir} system property, the
 * {@code CONTINUA_CACHE_DIR} environment variable, or {@code <data dir>/cache} where the data dir is
 * {@code CONTINUA_DATA_DIR} or {@code continua-data}. Explicit {@code org.bytedeco.javacpp.cachedir}
 * and {@code DJL_CACHE_DIR} settings win.
 */
public final class NativeCache {
    private NativeCache() {
    }

    /** Points JavaCPP and DJL at our cache directory; call before either loads anything. Idempotent. */
    public static synchronized void configure() {
        Path cache = dir();
        setIfAbsent("org.bytedeco.javacpp.cachedir", cache.resolve("javacpp").toString());
        setIfAbsent("DJL_CACHE_DIR", cache.resolve("djl").toString());
        setIfAbsent("ENGINE_CACHE_DIR", cache.resolve("djl").toString());
        // DJL looks for CUDA through JNA, which otherwise unpacks its own native library under ~/.cache/JNA.
        setIfAbsent("jna.tmpdir", cache.resolve("jna").toString());
        // DJL must not look for (or try to download) an engine we do not use.
        setIfAbsent("ai.djl.default_engine", "TensorFlow");
        setIfAbsent("OFFLINE", "true");
    }

    public static Path dir() {
        String configured = System.getProperty("continua.cache.dir", System.getenv("CONTINUA_CACHE_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String dataDir = System.getenv("CONTINUA_DATA_DIR");
        return Path.of(dataDir == null || dataDir.isBlank() ? "continua-data" : dataDir, "cache").toAbsolutePath();
    }

    static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
