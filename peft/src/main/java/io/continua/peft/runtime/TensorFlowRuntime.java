package io.continua.peft.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts TensorFlow once per process, fully offline. The native library comes from the
 * {@code tensorflow-core-native} jar on the classpath; JavaCPP unpacks it under our cache directory,
 * and DJL's TensorFlow engine is pointed at that same copy so it neither downloads nor loads a
 * second one. Nothing is written to {@code $HOME}: see {@link NativeCache}.
 */
public final class TensorFlowRuntime {
    private static final Logger log = LoggerFactory.getLogger(TensorFlowRuntime.class);
    private static final String LIBRARY_PATH = "TENSORFLOW_LIBRARY_PATH";

    private static volatile boolean started;

    private TensorFlowRuntime() {
    }

    /** Loads the native library if this process has not yet; safe to call from any thread, any number of times. */
    public static void ensureStarted() {
        if (started) {
            return;
        }
        synchronized (TensorFlowRuntime.class) {
            if (!started) {
                start();
                started = true;
            }
        }
    }

    /** The native classifier this build carries, e.g. {@code linux-x86_64} or {@code linux-x86_64-gpu}. */
    private static String nativeClassifier() {
        Properties properties = new Properties();
        try (InputStream in = TensorFlowRuntime.class.getResourceAsStream("/io/continua/peft/runtime.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read runtime.properties", e);
        }
        return properties.getProperty("tensorflow.native.classifier", "linux-x86_64");
    }

    private static void start() {
        long began = System.nanoTime();
        NativeCache.configure();
        String classifier = nativeClassifier();
        if (classifier.endsWith("-gpu")) {
            NativeCache.setIfAbsent("org.bytedeco.javacpp.platform.extension", "-gpu");
        }
        String library = Loader.load(org.tensorflow.internal.c_api.global.tensorflow.class);
        if (library == null) {
            throw new IllegalStateException("TensorFlow native library (" + classifier + ") is not on the classpath");
        }
        System.setProperty(LIBRARY_PATH, Path.of(library).getParent().toString());
        log.info("TensorFlow {} ({}) loaded in {} ms from {}", org.tensorflow.TensorFlow.version(), classifier,
                (System.nanoTime() - began) / 1_000_000, Path.of(library).getParent());
    }
}
