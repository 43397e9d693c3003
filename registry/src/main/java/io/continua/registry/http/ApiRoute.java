package io.continua.registry.http;

import io.continua.registry.auth.Role;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * One operation of the API: what the router serves and what the OpenAPI document describes come
 * from the same table, so they cannot drift apart.
 *
 * @param path      OpenAPI style, {@code /v1/domains/{domain}}
 * @param role      the role a bearer token needs; null for open reads
 * @param responses the status codes it may answer
 */
record ApiRoute(HttpMethod method, String path, String summary, Role role, List<Integer> responses,
                Handler<RoutingContext> handler) {

    /** The path in Vert.x router syntax, {@code /v1/domains/:domain}. */
    String routerPath() {
        return path.replaceAll("\\{([a-zA-Z]+)}", ":$1");
    }
}
