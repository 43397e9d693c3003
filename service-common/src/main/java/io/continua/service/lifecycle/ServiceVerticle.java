package io.continua.service.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One service as a verticle: deployed, it starts asynchronously on a worker pool of its own, named after it
 * ({@code registry-lifecycle}, ...), since a start blocks (reading a log to its end, loading a model); undeployed
 * (or when its Vert.x instance closes), it stops the same way. A start that fails fails the deployment, and the
 * service has released what it had acquired by then.
 *
 * @param <S> the service
 */
public final class ServiceVerticle<S extends AutoCloseable> extends VerticleBase {
    /** Starting may take minutes (a long log, a cold model): the blocked-thread checker should not cry wolf. */
    private static final long MAX_START_MINUTES = 10;

    /** How the service starts, given the Vert.x instance it serves HTTP on. */
    @FunctionalInterface
    public interface Start<S> {
        S start(Vertx vertx) throws Exception;
    }

    private final String name;
    private final Start<S> start;
    private WorkerExecutor lifecycle;
    private volatile S service;

    public ServiceVerticle(String name, Start<S> start) {
        this.name = name;
        this.start = start;
    }

    @Override
    public Future<?> start() {
        lifecycle = vertx.createSharedWorkerExecutor(name + "-lifecycle", 1, MAX_START_MINUTES, TimeUnit.MINUTES);
        return lifecycle.executeBlocking(() -> service = start.start(vertx))
                .onFailure(failure -> lifecycle.close());
    }

    @Override
    public Future<?> stop() {
        return lifecycle.executeBlocking(() -> {
            service.close();
            return null;
        }).eventually(() -> lifecycle.close());
    }

    /** The started service (null before its start completes). */
    public S service() {
        return service;
    }

    /** Deploys {@code verticle} and waits for its start: the service, or the start's failure. */
    public static <S extends AutoCloseable> S deploy(Vertx vertx, ServiceVerticle<S> verticle) throws Exception {
        try {
            vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return verticle.service();
    }
}
