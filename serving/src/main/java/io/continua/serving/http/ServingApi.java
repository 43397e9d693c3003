package io.continua.serving.http;

import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DomainNames;
import io.continua.service.HttpJson;
import io.continua.service.JsonFields;
import io.continua.service.RequestParts;
import io.continua.service.ServiceRoutes;
import io.continua.serving.ServingConfig;
import io.continua.serving.deltas.DeltaCatalog;
import io.continua.serving.inference.Classification;
import io.continua.serving.inference.Predictions;
import io.continua.serving.kafka.PredictionResults;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * {@code POST /v1/domains/{d}/predict} ({@code {text}} or {@code {texts: [...]}}, optionally
 * {@code version} or {@code alias}, and {@code requestId} or {@code requestIds}), {@code GET /v1/domains/{d}},
 * {@code GET /v1/domains}, health, readiness and metrics. With {@code http.results} every answer also goes to
 * {@code predict.results} under its request id, so that labels sent later with it count in live accuracy.
 */
public final class ServingApi {
    private static final int BODY_LIMIT = 1024 * 1024;
    private static final int MAX_REQUEST_ID = 200;

    private final ServingConfig config;
    private final DeltaCatalog catalog;
    private final Predictions predictions;
    private final Optional<PredictionResults> results;
    private final MeterRegistry metrics;
    private final Map<String, Timer> latencyTimers = new ConcurrentHashMap<>();

    private ServingApi(ServingConfig config, DeltaCatalog catalog, Predictions predictions,
                       Optional<PredictionResults> results, MeterRegistry metrics) {
        this.config = config;
        this.catalog = catalog;
        this.predictions = predictions;
        this.results = results;
        this.metrics = metrics;
    }

    /** @param results where answers also go, with their request ids; empty: answered over HTTP only */
    public static Router router(Vertx vertx, ServingConfig config, DeltaCatalog catalog, Predictions predictions,
                                Optional<PredictionResults> results, MeterRegistry metrics, BooleanSupplier ready,
                                Supplier<String> scrape) {
        ServingApi api = new ServingApi(config, catalog, predictions, results, metrics);
        Router router = Router.router(vertx);
        router.post("/v1/domains/:domain/predict").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                .handler(api::predict);
        router.get("/v1/domains/:domain").handler(api::status);
        router.get("/v1/domains").handler(context -> HttpJson.respond(context, 200,
                new JsonObject().put("domains", new JsonArray(catalog.domains()))));
        ServiceRoutes.addHealth(router, ready, scrape);
        ServiceRoutes.addFallbacks(router);
        return router;
    }

    private void predict(RoutingContext context) {
        long arrived = System.nanoTime();
        String domain = domainName(context);
        JsonObject body = RequestParts.jsonBody(context);
        boolean single = body.containsKey("text");
        List<String> texts = texts(body, single);
        List<String> requestIds = requestIds(body, single, texts.size());
        Predictions.Pin pin = pin(body);
        Predictions.Pending pending;
        // A canary's share is drawn by the client's key, else by the request's id (the client's or the one its answers
        // are written under); without either, production answers.
        String routingKey = JsonFields.of(body, "bad_key").string("key").filter(key -> !key.isBlank())
                .orElse(requestIds.isEmpty() ? null : requestIds.get(0));
        try {
            pending = predictions.submit(domain, pin, texts, routingKey);
        } catch (ServiceException refused) {
            refused(context, domain, refused.status());
            throw refused;
        }
        Future.fromCompletionStage(CompletableFuture.allOf(pending.results().toArray(new CompletableFuture[0])),
                        context.vertx().getOrCreateContext())
                .onSuccess(done -> {
                    double latencyMs = (System.nanoTime() - arrived) / 1e6;
                    JsonArray answers = new JsonArray();
                    for (int i = 0; i < texts.size(); i++) {
                        JsonObject answer = json(pending.results().get(i).join(), pending.alias(), latencyMs);
                        if (!requestIds.isEmpty()) {
                            answer.put("requestId", requestIds.get(i));
                        }
                        answers.add(answer);
                    }
                    int version = pending.results().get(0).join().version();
                    latency(domain, version).record((long) (latencyMs * 1e6), TimeUnit.NANOSECONDS);
                    count(domain, 200);
                    HttpJson.respond(context, 200, single ? answers.getJsonObject(0)
                            : new JsonObject().put("predictions", answers));
                    // Answered first: writing to Kafka, and the shadow's scoring, come after the client has its answer.
                    results.ifPresent(written -> {
                        for (int i = 0; i < texts.size(); i++) {
                            written.trySend(requestIds.get(i), domain, pending.results().get(i).join(),
                                    pending.alias(), latencyMs, false);
                        }
                        if (pin.version() == null && pin.alias() == null) {
                            shadow(domain, texts, requestIds, arrived);
                        }
                    });
                })
                .onFailure(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    refused(context, domain, cause instanceof ServiceException known ? known.status() : 500);
                    context.fail(cause);
                });
    }

    /** The shadow candidate scores the same texts after the answer; its predictions go to the results topic only. */
    private void shadow(String domain, List<String> texts, List<String> requestIds, long arrived) {
        predictions.shadow(domain, texts).ifPresent(shadow -> {
            for (int i = 0; i < texts.size(); i++) {
                String requestId = requestIds.get(i);
                shadow.results().get(i).thenAccept(scored -> results.get().trySend(requestId, domain, scored,
                        shadow.alias(), (System.nanoTime() - arrived) / 1e6, true));
            }
        });
    }

    private void status(RoutingContext context) {
        String domain = domainName(context);
        HttpJson.respond(context, 200, new JsonObject(catalog.status(domain)));
    }

    static JsonObject json(Classification result, String alias, double latencyMs) {
        JsonArray scores = new JsonArray();
        result.scores().forEach(score -> scores.add(new JsonObject().put("label", score.label())
                .put("score", score.score())));
        return new JsonObject().put("label", result.label()).put("scores", scores).put("version", result.version())
                .put("alias", alias).put("latencyMs", latencyMs).put("truncated", result.truncated());
    }

    private List<String> texts(JsonObject body, boolean single) {
        JsonFields fields = JsonFields.of(body, "bad_text");
        List<String> texts = (single ? fields.string("text").map(List::of) : fields.strings("texts"))
                .orElseThrow(() -> ServiceException.invalid("missing_text",
                        "Send {\"text\": \"...\"} or {\"texts\": [\"...\"]}"));
        if (texts.isEmpty()) {
            throw ServiceException.invalid("missing_text", "texts is empty");
        }
        if (texts.size() > config.maxTextsPerRequest()) {
            throw new ServiceException(ServiceException.Kind.TOO_LARGE, "too_many_texts", texts.size() + " texts in one request; the limit is "
                    + config.maxTextsPerRequest());
        }
        return texts;
    }

    /**
     * The request's ids: the client's ({@code requestId}, or {@code requestIds} one per text), else new ones when
     * answers go to {@code predict.results} (they are written under them), else none.
     */
    private List<String> requestIds(JsonObject body, boolean single, int texts) {
        JsonFields fields = JsonFields.of(body, "bad_request_id");
        Optional<List<String>> given = single ? fields.string("requestId").map(List::of) : fields.strings("requestIds");
        if (given.isPresent() && given.get().size() != texts) {
            throw ServiceException.invalid("bad_request_id", "Send one request id per text: " + given.get().size()
                    + " for " + texts + " texts");
        }
        if (given.isPresent() && given.get().stream().anyMatch(id -> id.isBlank() || id.length() > MAX_REQUEST_ID)) {
            throw ServiceException.invalid("bad_request_id", "A request id holds 1 to " + MAX_REQUEST_ID
                    + " characters");
        }
        if (given.isPresent() || results.isEmpty()) {
            return given.orElse(List.of());
        }
        return IntStream.range(0, texts).mapToObj(i -> UUID.randomUUID().toString()).toList();
    }

    private static Predictions.Pin pin(JsonObject body) {
        JsonFields fields = JsonFields.of(body, "bad_pin");
        Integer version = fields.integer("version", 1, Integer.MAX_VALUE).orElse(null);
        String alias = fields.string("alias").orElse(null);
        if (alias != null && !DomainNames.isValid(alias)) {
            throw ServiceException.invalid("invalid_alias", "Alias '" + alias + "' does not match "
                    + DomainNames.PATTERN.pattern());
        }
        return new Predictions.Pin(version, alias);
    }

    private static String domainName(RoutingContext context) {
        return RequestParts.name(context, "domain", DomainNames.PATTERN);
    }

    /** The latency timer of a domain's version, built once. */
    private Timer latency(String domain, int version) {
        return latencyTimers.computeIfAbsent(domain + "/" + version, key -> Timer.builder("continua_serving_latency")
                .tags("domain", domain, "version", Integer.toString(version)).publishPercentiles(0.5, 0.99)
                .register(metrics));
    }

    /** Counts a request answered with an error; a full queue (429) tells the client when to come back. */
    private void refused(RoutingContext context, String domain, int status) {
        count(domain, status);
        if (status == 429) {
            context.response().putHeader("Retry-After", "1");
        }
    }

    private void count(String domain, int status) {
        metrics.counter("continua_serving_requests", "domain", domain, "status", Integer.toString(status)).increment();
    }
}
