package io.continua.service;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Starts an HTTP server and waits until it listens (port 0 picks a free port). Every server closes
 * connections idle for {@link #IDLE_TIMEOUT} (a request half sent and left there does not hold a
 * connection) and answers 503 {@code timeout} to a request not answered within
 * {@link #REQUEST_TIMEOUT}.
 */
public final class HttpServers {
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private HttpServers() {
    }

    public static HttpServer listen(Vertx vertx, Router router, String host, int port) {
        return listen(vertx, router, host, port, IDLE_TIMEOUT, REQUEST_TIMEOUT);
    }

    public static HttpServer listen(Vertx vertx, Router router, String host, int port, Duration idleTimeout,
                                    Duration requestTimeout) {
        router.route().order(Integer.MIN_VALUE).handler(TimeoutHandler.create(requestTimeout.toMillis(), 503));
        HttpServerOptions options = new HttpServerOptions()
                .setIdleTimeout(Math.toIntExact(idleTimeout.toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        try {
            return vertx.createHttpServer(options).requestHandler(router).listen(port, host)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
        }
    }

    public static void close(HttpServer server) {
        server.close().toCompletionStage().toCompletableFuture().join();
    }
}
