package io.continua.registry.http;

import io.continua.peft.artifact.LoadedArtifact;
import io.continua.registry.DomainConfigs;
import io.continua.registry.RegistryService;
import io.continua.registry.UploadMetadataReader;
import io.continua.registry.auth.ApiToken;
import io.continua.registry.auth.Role;
import io.continua.registry.schemas.SchemasApi;
import io.continua.registry.state.RegistryState;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.registry.UploadMetadata;
import io.continua.service.HttpJson;
import io.continua.service.JsonFields;
import io.continua.service.RequestParts;
import io.continua.service.ServiceRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The registry's {@code /v1} API, {@code /openapi.json}, the Schema-Registry-compatible API under
 * {@link #SCHEMAS_API}, the web console under {@code /ui}, health, readiness and metrics.
 */
public final class RegistryApi {
    /** Where the Schema-Registry-compatible API is mounted: Confluent clients take this as their registry URL. */
    public static final String SCHEMAS_API = "/schemas-api";
    /** Where the console's files are, on the classpath. */
    private static final String UI_ROOT = "io/continua/registry/ui";
    /** Where a route's first handler leaves the request's checked token. */
    private static final String TOKEN = "continua.token";
    private static final int JSON_BODY_LIMIT = 64 * 1024;
    private static final int MAX_PAGE = 1000;

    private final RegistryService service;
    private final RegistryState state;

    private RegistryApi(RegistryService service) {
        this.service = service;
        this.state = service.state();
    }

    public static Router router(Vertx vertx, RegistryService service) {
        RegistryApi api = new RegistryApi(service);
        Router router = Router.router(vertx);
        BodyHandler uploads = BodyHandler.create(service.config().dir().resolve("uploads").toString())
                .setBodyLimit(service.config().maxArtifactBytes() + JSON_BODY_LIMIT)
                .setDeleteUploadedFilesOnEnd(true)
                .setHandleFileUploads(true);
        BodyHandler json = BodyHandler.create(false).setBodyLimit(JSON_BODY_LIMIT);
        List<ApiRoute> routes = api.routes();
        for (ApiRoute route : routes) {
            if (route.role() != null) {
                // The token is checked on a route of its own, before the one whose handler reads the body:
                // a refused upload never reaches the disk.
                router.route(route.method(), route.routerPath()).handler(context -> {
                    context.put(TOKEN, api.authorize(context, route.role()));
                    context.next();
                });
            }
            var registered = router.route(route.method(), route.routerPath());
            if (route.method() == HttpMethod.POST) {
                registered.handler(uploads);
            } else if (route.method() == HttpMethod.PUT) {
                registered.handler(json);
            }
            registered.handler(route.handler());
        }
        router.route(SCHEMAS_API + "/*").subRouter(SchemasApi.router(vertx, service));
        // Vert.x matches /ui/ here too: only the bare path is sent on to the directory.
        router.get("/ui").handler(context -> {
            if (context.request().path().equals("/ui")) {
                context.redirect("/ui/");
            } else {
                context.next();
            }
        });
        // The console: static files of this jar; it calls only this origin's API, so nothing else may load.
        router.route("/ui/*").handler(context -> {
            context.response().putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
                    .putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
            context.next();
        }).handler(StaticHandler.create(UI_ROOT).setCachingEnabled(false));
        JsonObject openApi = OpenApiDocument.of(routes);
        router.get("/openapi.json").handler(context -> HttpJson.respond(context, 200, openApi));
        ServiceRoutes.addHealth(router, service::isReady, service.metrics()::scrape);
        ServiceRoutes.addFallbacks(router);
        return router;
    }

    /** Every operation of the API, in the order the OpenAPI document lists them. */
    List<ApiRoute> routes() {
        return List.of(
                new ApiRoute(HttpMethod.GET, "/v1/whoami", "The name and role of the presented token: what the "
                        + "registry records as a version's uploader", Role.READ, List.of(200, 401), this::whoami),
                new ApiRoute(HttpMethod.GET, "/v1/domains", "List domains", null, List.of(200), this::listDomains),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}", "A domain's configuration, latest version "
                        + "and aliases", null, List.of(200, 400, 404), this::getDomain),
                new ApiRoute(HttpMethod.PUT, "/v1/domains/{domain}", "Configure a domain: delta kind, "
                        + "hyperparameters, promotion policy", Role.ADMIN, List.of(200, 400, 401, 403, 409),
                        this::putDomain),
                new ApiRoute(HttpMethod.POST, "/v1/domains/{domain}/versions", "Upload a delta (multipart: "
                        + "artifact file, metadata JSON); the same upload again answers 200 with the version it "
                        + "registered", Role.WRITE, List.of(200, 201, 400, 401, 403, 409, 413, 422),
                        this::upload),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}/versions", "List versions (?limit, ?after)",
                        null, List.of(200, 400, 404), this::listVersions),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}/versions/{version}", "A version's metadata and "
                        + "lineage", null, List.of(200, 400, 404), this::getVersion),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}/versions/{version}/artifact", "Download a "
                        + "version's archive (ETag = SHA-256)", null, List.of(200, 304, 400, 404, 410),
                        this::getArtifact),
                new ApiRoute(HttpMethod.DELETE, "/v1/domains/{domain}/versions/{version}", "Soft-delete a version "
                        + "no alias points to", Role.ADMIN, List.of(200, 400, 401, 403, 404, 409), this::deleteVersion),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}/aliases", "A domain's aliases", null,
                        List.of(200, 400, 404), this::listAliases),
                new ApiRoute(HttpMethod.PUT, "/v1/domains/{domain}/aliases/{alias}", "Move an alias ({version, "
                        + "reason, hold}): promote or roll back; hold true pins it (auto promotion stops), false "
                        + "releases it, absent keeps it as it was", Role.WRITE, List.of(200, 400, 401, 403, 404, 409),
                        this::moveAlias),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}/aliases/{alias}/history", "Every move of an "
                        + "alias: who, when, why, from which version", null, List.of(200, 400, 404),
                        this::aliasHistory),
                new ApiRoute(HttpMethod.GET, "/v1/domains/{domain}/live", "Live (prequential) accuracy of each "
                        + "version on labels that arrived after its predictions, with a confidence interval", null,
                        List.of(200, 400, 404), this::liveAccuracy));
    }

    private void whoami(RoutingContext context) {
        ApiToken token = context.get(TOKEN);
        HttpJson.respond(context, 200, new JsonObject().put("name", token.name())
                .put("role", token.role().name().toLowerCase(Locale.ROOT)));
    }

    private void listDomains(RoutingContext context) {
        JsonArray domains = new JsonArray();
        for (String domain : state.domains()) {
            domains.add(summary(domain));
        }
        HttpJson.respond(context, 200, new JsonObject().put("domains", domains));
    }

    private void getDomain(RoutingContext context) {
        String domain = knownDomain(context);
        Optional<DomainConfig> configured = state.config(domain);
        HttpJson.respond(context, 200, summary(domain).put("configured", configured.isPresent())
                .put("config", DomainConfigs.toJson(configured.orElse(DomainConfigs.defaults(domain)))));
    }

    private void putDomain(RoutingContext context) {
        ApiToken token = context.get(TOKEN);
        String domain = domainName(context);
        DomainConfig config = DomainConfigs.parse(domain, body(context), token.name());
        service.write(writes -> writes.configure(config))
                .onSuccess(saved -> HttpJson.respond(context, 200, DomainConfigs.toJson(saved).put("domain", domain)))
                .onFailure(context::fail);
    }

    private void upload(RoutingContext context) {
        ApiToken token = context.get(TOKEN);
        String domain = domainName(context);
        service.metrics().counter("continua_registry_uploads", "domain", domain).increment();
        FileUpload artifact = context.fileUploads().stream().filter(file -> file.name().equals("artifact"))
                .findFirst().orElseThrow(() -> ServiceException.invalid("missing_artifact",
                        "Send the archive as the multipart file part 'artifact'"));
        UploadMetadata metadata = UploadMetadataReader.read(context.request().getFormAttribute("metadata"));
        context.vertx().fileSystem().readFile(artifact.uploadedFileName())
                .compose(bytes -> context.vertx().executeBlocking(() -> {
                    byte[] archive = bytes.getBytes();
                    LoadedArtifact validated = service.validate(archive, metadata.sha256());
                    service.checkLineage(metadata.trainedOn());
                    return new Validated(archive, validated);
                }, false))
                .compose(validated -> service.write(writes ->
                        writes.upload(domain, validated.artifact(), validated.archive(), metadata, token.name())))
                .onSuccess(uploaded -> {
                    DeltaVersion version = uploaded.version();
                    context.response().putHeader("Location", "/v1/domains/" + domain + "/versions/"
                            + version.getVersion());
                    HttpJson.respond(context, uploaded.repeated() ? 200 : 201, new JsonObject().put("domain", domain)
                            .put("version", version.getVersion()).put("repeated", uploaded.repeated())
                            .put("sha256", version.getSha256())
                            .put("sizeBytes", version.getSizeBytes())
                            .put("promoted", uploaded.promotion().isPresent())
                            .put("promotionReason", uploaded.promotionReason())
                            .put("aliases", new JsonArray(state.aliasesOf(domain, version.getVersion()))));
                })
                .onFailure(context::fail);
    }

    private record Validated(byte[] archive, LoadedArtifact artifact) {
    }

    private void listVersions(RoutingContext context) {
        String domain = knownDomain(context);
        int limit = intParameter(context, "limit", 100);
        int after = intParameter(context, "after", 0);
        if (limit < 1 || limit > MAX_PAGE) {
            throw ServiceException.invalid("bad_limit", "limit must be in 1.." + MAX_PAGE);
        }
        List<DeltaVersion> page = state.versions(domain).stream()
                .filter(version -> version.getVersion() > after).limit(limit + 1L).toList();
        JsonArray versions = new JsonArray();
        page.stream().limit(limit).forEach(version -> versions.add(view(version)));
        Integer next = page.size() > limit ? page.get(limit - 1).getVersion() : null;
        HttpJson.respond(context, 200, new JsonObject().put("versions", versions).put("next", next));
    }

    private void getVersion(RoutingContext context) {
        HttpJson.respond(context, 200, view(knownVersion(context)));
    }

    private void getArtifact(RoutingContext context) {
        DeltaVersion version = knownVersion(context);
        if (version.getDeleted()) {
            throw new ServiceException(ServiceException.Kind.GONE, "version_deleted", "Version " + version.getVersion() + " was deleted");
        }
        String etag = "\"" + version.getSha256() + "\"";
        if (etag.equals(context.request().getHeader("If-None-Match"))) {
            context.response().setStatusCode(304).putHeader("ETag", etag).end();
            return;
        }
        context.vertx().executeBlocking(() -> service.artifacts().get(version.getSha256()), false)
                .onSuccess(bytes -> {
                    if (bytes.isEmpty()) {
                        HttpJson.error(context, 503, "artifact_unavailable", "The archive of version "
                                + version.getVersion() + " is missing from the artifact topic or does not match its checksum");
                        return;
                    }
                    context.response().putHeader("ETag", etag).putHeader("Content-Type", "application/zip")
                            .putHeader("Content-Disposition", "attachment; filename=\"" + version.getDomain() + "-v"
                                    + version.getVersion() + ".zip\"")
                            .end(Buffer.buffer(bytes.get()));
                })
                .onFailure(context::fail);
    }

    private void deleteVersion(RoutingContext context) {
        ApiToken token = context.get(TOKEN);
        DeltaVersion version = knownVersion(context);
        service.write(writes -> writes.delete(version.getDomain(), version.getVersion(), token.name()))
                .onSuccess(deleted -> HttpJson.respond(context, 200, view(deleted)))
                .onFailure(context::fail);
    }

    private void listAliases(RoutingContext context) {
        String domain = knownDomain(context);
        JsonObject aliases = new JsonObject();
        state.aliases(domain).forEach((name, pointer) -> aliases.put(name, JsonViews.alias(pointer)));
        HttpJson.respond(context, 200, new JsonObject().put("aliases", aliases));
    }

    private void moveAlias(RoutingContext context) {
        ApiToken token = context.get(TOKEN);
        String domain = knownDomain(context);
        String alias = aliasName(context);
        JsonFields body = JsonFields.of(body(context), "invalid_move");
        int version = body.integer("version", 1, Integer.MAX_VALUE).orElseThrow(() -> ServiceException.invalid("missing_version", "Send {\"version\": N, \"reason\": \"...\"}"));
        String reason = body.string("reason").orElse("moved by " + token.name());
        Optional<Boolean> hold = body.bool("hold");
        service.write(writes -> writes.moveAlias(domain, alias, version, reason, token.name(), hold))
                .onSuccess(pointer -> HttpJson.respond(context, 200, JsonViews.alias(pointer)))
                .onFailure(context::fail);
    }

    private void aliasHistory(RoutingContext context) {
        String domain = knownDomain(context);
        String alias = aliasName(context);
        List<AliasPointer> history = state.aliasHistory(domain, alias);
        if (history.isEmpty()) {
            throw ServiceException.notFound("unknown_alias", "Domain '" + domain + "' has no alias '" + alias + "'");
        }
        JsonArray moves = new JsonArray();
        history.forEach(pointer -> moves.add(JsonViews.alias(pointer)));
        HttpJson.respond(context, 200, new JsonObject().put("history", moves));
    }

    private void liveAccuracy(RoutingContext context) {
        String domain = knownDomain(context);
        JsonObject versions = new JsonObject();
        service.live().scores(domain).forEach((version, score) -> versions.put(Integer.toString(version),
                JsonViews.live(score)));
        HttpJson.respond(context, 200, new JsonObject().put("domain", domain)
                .put("confidence", service.live().confidence()).put("versions", versions));
    }

    private JsonObject summary(String domain) {
        List<DeltaVersion> versions = state.versions(domain);
        JsonObject aliases = new JsonObject();
        JsonObject held = new JsonObject();
        state.aliases(domain).forEach((name, pointer) -> {
            aliases.put(name, pointer.getVersion());
            if (pointer.getHeld()) {
                held.put(name, pointer.getVersion());
            }
        });
        return new JsonObject().put("domain", domain).put("versions", versions.size())
                .put("latestVersion", versions.isEmpty() ? null : versions.get(versions.size() - 1).getVersion())
                .put("aliases", aliases).put("held", held);
    }

    private JsonObject view(DeltaVersion version) {
        return JsonViews.version(version, state.aliasesOf(version.getDomain(), version.getVersion()))
                .put("live", service.live().score(version.getDomain(), version.getVersion()).map(JsonViews::live)
                        .orElse(null));
    }

    private ApiToken authorize(RoutingContext context, Role role) {
        return service.authenticator().require(context.request().getHeader("Authorization"), role);
    }

    private static String domainName(RoutingContext context) {
        return RequestParts.name(context, "domain", DomainNames.PATTERN);
    }

    private static String aliasName(RoutingContext context) {
        return RequestParts.name(context, "alias", DomainNames.PATTERN);
    }

    private String knownDomain(RoutingContext context) {
        String domain = domainName(context);
        if (!state.knows(domain)) {
            throw ServiceException.notFound("unknown_domain", "No domain '" + domain + "'");
        }
        return domain;
    }

    private DeltaVersion knownVersion(RoutingContext context) {
        String domain = knownDomain(context);
        int number;
        try {
            number = Integer.parseInt(context.pathParam("version"));
        } catch (NumberFormatException e) {
            throw ServiceException.invalid("invalid_version", "Version '" + context.pathParam("version")
                    + "' is not a number");
        }
        return state.version(domain, number).orElseThrow(() -> ServiceException.notFound("unknown_version",
                "Domain '" + domain + "' has no version " + number));
    }

    private static int intParameter(RoutingContext context, String name, int fallback) {
        String value = context.request().getParam(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ServiceException.invalid("bad_" + name, name + " must be a number, got '" + value + "'");
        }
    }

    private static JsonObject body(RoutingContext context) {
        return RequestParts.jsonBody(context);
    }
}
