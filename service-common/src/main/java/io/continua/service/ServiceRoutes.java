package io.continua.service;

import io.continua.schemas.errors.ServiceException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes every service has: {@code GET /health} (the process answers), {@code GET /ready}
 * (it can do its job), {@code GET /metrics} (Prometheus), a JSON 404 for unknown paths, and a
 * failure handler that turns every failure into a JSON error with the right status.
 */
public final class ServiceRoutes {
    private static final Logger log = LoggerFactory.getLogger(ServiceRoutes.class);

    private ServiceRoutes() {
    }

    public static void addHealth(Router router, BooleanSupplier ready, Supplier<String> metrics) {
        router.get("/health").handler(context -> HttpJson.respond(context, 200, new JsonObject().put("status", "UP")));
        router.get("/ready").handler(context -> {
            boolean isReady = ready.getAsBoolean();
            HttpJson.respond(context, isReady ? 200 : 503, new JsonObject().put("ready", isReady));
        });
        router.get("/metrics").handler(context -> context.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.get()));
    }

    /** Call last: unknown paths answer a JSON 404, failures a JSON error. */
    public static void addFallbacks(Router router) {
        router.route().last().handler(context -> HttpJson.error(context, 404, "not_found",
                "No route for " + context.request().method() + " " + context.request().path()));
        router.route().failureHandler(ServiceRoutes::failure);
    }

    /**
     * The one place failures become HTTP: a {@link ServiceException} answers its kind's status with its code; a
     * body that is not JSON is the client's; anything else is a bug, answered 500 with an id that finds its
     * stack trace in the log.
     */
    private static void failure(RoutingContext context) {
        if (context.response().ended()) {
            return;
        }
        Throwable failure = context.failure();
        int status = context.statusCode();
        if (failure instanceof ServiceException refusal) {
            HttpJson.error(context, refusal.status(), refusal.error(), refusal.detail());
        } else if (failure instanceof DecodeException) {
            HttpJson.error(context, 400, "bad_request", "The body is not valid JSON: " + failure.getMessage());
        } else if (status == 503 && failure == null) {
            HttpJson.error(context, 503, "timeout", "The request was not answered in time; retry later");
        } else if (status == 413) {
            HttpJson.error(context, 413, "too_large", "The request body is over the size limit");
        } else if (status >= 400 && status < 500) {
            // Vert.x itself refused the request (a handler failed it with a client status).
            HttpJson.error(context, status, "bad_request", failure != null ? failure.getMessage()
                    : "The request could not be handled (HTTP " + status + ")");
        } else {
            String id = UUID.randomUUID().toString();
            log.error("Request {} {} failed (error id {})", context.request().method(), context.request().path(), id,
                    failure);
            HttpJson.error(context, 500, "internal_error", "The request failed; the service log has error id " + id);
        }
    }
}
