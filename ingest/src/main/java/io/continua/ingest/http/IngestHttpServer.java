package io.continua.ingest.http;

import io.continua.ingest.IngestService;
import io.continua.ingest.stats.DomainStats;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.kafka.DomainNames;
import io.continua.service.HttpJson;
import io.continua.service.RequestParts;
import io.continua.service.HttpServers;
import io.continua.service.ServiceRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Ingest's HTTP endpoint: {@code POST /v1/domains/{d}/examples} (labeled examples from producers
 * without Kafka, onto the {@code examples} topic like any other), {@code GET /v1/domains},
 * {@code GET /v1/domains/{d}/stats} (from the stats state store, through Kafka Streams interactive
 * queries), {@code /health}, {@code /ready} and {@code /metrics}. Errors are JSON {@code {error, detail}}.
 */
public final class IngestHttpServer {
    private final HttpServer server;

    private IngestHttpServer(HttpServer server) {
        this.server = server;
    }

    /** Bodies up to this size: a thousand examples of the longest texts ingest accepts fit. */
    private static final long BODY_LIMIT = 16L * 1024 * 1024;

    public static IngestHttpServer start(Vertx vertx, String host, int port, IngestService service,
                                         ExamplesUpload upload, ExamplesPublisher publisher) {
        Router router = Router.router(vertx);
        router.post("/v1/domains/:domain/examples").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                .handler(context -> publish(context, upload, publisher));
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

    private static void publish(RoutingContext context, ExamplesUpload upload, ExamplesPublisher publisher) {
        String domain = RequestParts.name(context, "domain", DomainNames.PATTERN);
        List<LabeledExample> examples = upload.read(domain, RequestParts.jsonBody(context), Instant.now());
        context.vertx().executeBlocking(() -> publisher.publish(domain, examples), false)
                .onSuccess(offsets -> HttpJson.respond(context, 200, new JsonObject().put("domain", domain)
                        .put("published", examples.size()).put("offsets", new JsonArray(offsets))
                        .put("ids", new JsonArray(examples.stream().map(LabeledExample::getId).toList()))))
                .onFailure(context::fail);
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
