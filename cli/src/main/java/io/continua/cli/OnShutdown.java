package io.continua.cli;

import io.continua.service.lifecycle.ServiceVerticle;
import io.continua.service.settings.SettingValues;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/** How the long-running commands stop: on Ctrl-C or SIGTERM they close what they started, in order. */
final class OnShutdown {
    private OnShutdown() {
    }

    /**
     * Runs a service, deployed as a verticle on a Vert.x instance of its own, until the JVM is asked to stop; then
     * closing Vert.x undeploys it, which stops the service. A start that fails closes the Vert.x instance before
     * the failure is reported.
     */
    static <S extends AutoCloseable> int serve(String command, SettingValues settings, ServiceVerticle.Start<S> start,
                                               Function<S, String> readyLine) throws Exception {
        System.out.println("continua " + command + " settings: " + settings.changedFromDefaults());
        Vertx vertx = Vertx.vertx();
        S service;
        try {
            service = ServiceVerticle.deploy(vertx, new ServiceVerticle<>(command, start));
        } catch (Exception | Error e) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            throw e;
        }
        CountDownLatch stopped = close(command, () -> vertx.close().toCompletionStage().toCompletableFuture().join());
        System.out.println(readyLine.apply(service));
        stopped.await();
        return 0;
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
