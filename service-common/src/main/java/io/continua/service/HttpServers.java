package io.continua.service;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/** Starts an HTTP server and waits until it listens (port 0 picks a free port). */
public final class HttpServers {
    private HttpServers() {
    }

    public static HttpServer listen(Vertx vertx, Router router, String host, int port) {
        try {
            return vertx.createHttpServer().requestHandler(router).listen(port, host)
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
