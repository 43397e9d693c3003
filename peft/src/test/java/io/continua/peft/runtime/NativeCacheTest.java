package io.continua.peft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeCacheTest {
    /** Native loaders unpack where configured (the build's folders in tests), else in the cache directory: never $HOME. */
    @Test
    void keepsEveryNativeLoaderOutOfHome() {
        NativeCache.configure();
        Path home = Path.of(System.getProperty("user.home"));
        for (String key : List.of("org.bytedeco.javacpp.cachedir", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "jna.tmpdir")) {
            assertThat(Path.of(System.getProperty(key))).as(key).isAbsolute().matches(path -> !path.startsWith(home), "outside $HOME");
        }
        assertThat(Path.of(System.getProperty("jna.tmpdir")).startsWith(NativeCache.dir())).as("jna.tmpdir in the cache").isTrue();
    }
}
