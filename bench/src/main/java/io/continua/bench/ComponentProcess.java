package io.continua.bench;

import io.continua.cli.Continua;
import io.continua.peft.runtime.NativeCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One component of a multi-process deployment, run as its own JVM ({@code continua <command>}):
 * started, killed with SIGKILL as a crash would, and started again on the same data. Its output goes
 * to {@code <name>.log} in the work directory.
 */
final class ComponentProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Path log;
    private final BooleanSupplier ready;
    private volatile Process process;

    /**
     * @param heap  the JVM's maximum heap, e.g. {@code 512m}
     * @param args  the {@code continua} command and its options
     * @param ready true once the component serves (polled after each start)
     */
    ComponentProcess(String name, String heap, List<String> args, Path workDir, BooleanSupplier ready) {
        this.name = name;
        this.ready = ready;
        this.log = workDir.resolve(name + ".log");
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC",
                // Natives unpacked once for every process, and temp files under the work directory.
                "-Dcontinua.cache.dir=" + NativeCache.dir(), "-Djava.io.tmpdir=" + workDir,
                "-cp", System.getProperty("java.class.path"), Continua.class.getName()));
        line.addAll(args);
        this.command = List.copyOf(line);
    }

    String name() {
        return name;
    }

    synchronized void start() {
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    synchronized void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGKILL without waiting: for a shutdown hook. */
    void killQuietly() {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
        }
    }

    /** Waits until the component says it is ready; fails with the end of its log if it dies or takes too long. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!alive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + tail());
            }
            Thread.sleep(250);
        }
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Runs to completion (a one-shot command) and returns its exit code. */
    int runToEnd(Duration timeout) throws InterruptedException {
        start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A graceful stop (SIGTERM), then SIGKILL if it does not end. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
