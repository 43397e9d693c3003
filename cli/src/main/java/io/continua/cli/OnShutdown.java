package io.continua.cli;

import java.util.concurrent.CountDownLatch;

/** How the long-running commands stop: on Ctrl-C or SIGTERM they close what they started, in order. */
final class OnShutdown {
    private OnShutdown() {
    }

    /** Closes {@code resources} in order when the JVM is asked to stop; the latch opens once they are closed. */
    static CountDownLatch close(String command, AutoCloseable... resources) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    System.err.println("continua " + command + ": error while stopping: " + e.getMessage());
                }
            }
            stopped.countDown();
        }, command + "-shutdown"));
        return stopped;
    }
}
