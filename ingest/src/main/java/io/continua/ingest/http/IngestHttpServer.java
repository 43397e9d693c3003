package io.continua.ingest.http;

import io.continua.ingest.IngestService;
import io.continua.ingest.stats.DomainStats;
import io.continua.schemas.kafka.DomainNames;
import io.continua.service.HttpJson;
import io.continua.service.RequestParts;
import io.continua.service.HttpServers;
import io.continua.service.ServiceRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Ingest's HTTP endpoint: {@code GET /v1/domains}, {@code GET /v1/domains/{d}/stats} (from the
 * stats state store, through Kafka Streams interactive queries), {@code /health}, {@code /ready}
 * and {@code /metrics}. Errors are JSON {@code {error, detail}}.
 */
public final class IngestHttpServer {
    private final HttpServer server;

    private IngestHttpServer(HttpServer server) {
        this.server = server;
    }

    public static IngestHttpServer start(Vertx vertx, String host, int port, IngestService service) {
        Router router = Router.router(vertx);
        router.get("/v1/domains").handler(context -> {
            JsonObject domains = new JsonObject();
            service.allStats().forEach((domain, stats) -> domains.put(domain, stats.toJson()));
            HttpJson.respond(context, 200, new JsonObject().put("domains", domains));
        });
        router.get("/v1/domains/:domain/stats").handler(context -> domainStats(context, service));
        ServiceRoutes.addHealth(router, service::isRunning, service::scrapeMetrics);
        ServiceRoutes.addFallbacks(router);
        return new IngestHttpServer(HttpServers.listen(vertx, router, host, port));
    }

    public int port() {
        return server.actualPort();
    }

    public void close() {
        HttpServers.close(server);
    }

    private static void domainStats(RoutingContext context, IngestService service) {
        String domain = RequestParts.name(context, "domain", DomainNames.PATTERN);
        if (!service.isRunning()) {
            HttpJson.error(context, 503, "not_ready", "Ingest is starting or rebalancing; retry shortly");
            return;
        }
        Optional<DomainStats> stats = service.stats(domain);
        if (stats.isEmpty()) {
            HttpJson.error(context, 404, "unknown_domain", "Ingest has seen nothing of domain '" + domain + "'");
            return;
        }
        HttpJson.respond(context, 200, stats.get().toJson().put("domain", domain));
    }
}
