package io.continua.trainer;

import io.continua.service.HttpJson;
import io.continua.service.HttpServers;
import io.continua.service.ServiceRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** The trainer's status ({@code GET /v1/domains}), health, readiness and metrics. */
final class TrainerHttpServer {
    private TrainerHttpServer() {
    }

    static HttpServer start(Vertx vertx, String host, int port, TrainerService trainer) {
        Router router = Router.router(vertx);
        router.get("/v1/domains").handler(context -> {
            JsonObject domains = new JsonObject();
            long now = System.currentTimeMillis();
            trainer.statuses().forEach((domain, status) -> {
                double freshness = status.freshnessSeconds(now);
                domains.put(domain, JsonObject.mapFrom(status)
                        .put("freshnessSeconds", Double.isNaN(freshness) ? null : freshness));
            });
            HttpJson.respond(context, 200, new JsonObject().put("domains", domains));
        });
        ServiceRoutes.addHealth(router, trainer::isRunning, trainer::scrapeMetrics);
        ServiceRoutes.addFallbacks(router);
        return HttpServers.listen(vertx, router, host, port);
    }
}
