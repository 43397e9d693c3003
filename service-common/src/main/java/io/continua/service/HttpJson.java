package io.continua.service;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON responses, and errors as {@code {error, detail}} with their status code. */
public final class HttpJson {
    private HttpJson() {
    }

    /** Answers with {@code body}; an answer that comes after the request timed out (already answered 503) is dropped. */
    public static void respond(RoutingContext context, int status, Object body) {
        if (context.response().ended()) {
            return;
        }
        String encoded = body instanceof JsonObject json ? json.encode() : io.vertx.core.json.Json.encode(body);
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(encoded);
    }

    public static void error(RoutingContext context, int status, String error, String detail) {
        respond(context, status, new JsonObject().put("error", error).put("detail", detail));
    }
}
