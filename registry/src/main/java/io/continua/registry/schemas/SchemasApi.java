package io.continua.registry.schemas;

import io.continua.registry.RegistryService;
import io.continua.registry.auth.ApiToken;
import io.continua.registry.auth.Role;
import io.continua.registry.schemas.SchemaState.SubjectVersion;
import io.continua.registry.schemas.SchemaSubjects.Subject;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.errors.ServiceException;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subset of Confluent Schema Registry's REST API that serializers and deserializers in every
 * language use: subjects and their versions, schemas by id, lookup, registration (checked at the
 * subject's compatibility level, and always against what Continua can read), and compatibility
 * settings. Reads are open; registering a schema the subject does not hold yet needs a token with the
 * schema role, changing a level the admin role (a registration or a level that changes nothing needs
 * none: clients send both on every start). Answers and errors take Confluent's shapes.
 */
public final class SchemasApi {
    private static final Logger log = LoggerFactory.getLogger(SchemasApi.class);
    private static final String CONTENT_TYPE = ConfluentSchemas.CONTENT_TYPE;
    private static final int BODY_LIMIT = 1024 * 1024;

    private final RegistryService service;
    private final SchemaState state;
    private final SchemaWrites writes;

    private SchemasApi(RegistryService service) {
        this.service = service;
        this.state = service.schemas();
        this.writes = new SchemaWrites(state);
    }

    /** The API's routes, relative to wherever the caller mounts them. */
    public static Router router(Vertx vertx, RegistryService service) {
        SchemasApi api = new SchemasApi(service);
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        router.get("/").handler(context -> respond(context, new JsonObject()));
        router.get("/schemas/types").handler(context -> respond(context, new JsonArray().add("AVRO")));
        router.get("/schemas/ids/:id").handler(api::schemaById);
        router.get("/subjects").handler(api::listSubjects);
        router.get("/subjects/:subject/versions").handler(api::listVersions);
        router.get("/subjects/:subject/versions/:version").handler(api::getVersion);
        router.get("/subjects/:subject/versions/:version/schema").handler(api::getVersionSchema);
        router.post("/subjects/:subject").handler(api::lookup);
        router.post("/subjects/:subject/versions").handler(api::register);
        router.post("/compatibility/subjects/:subject/versions/:version").handler(api::testCompatibility);
        router.get("/config").handler(api::getGlobalLevel);
        router.put("/config").handler(context -> api.putLevel(context, null));
        router.get("/config/:subject").handler(api::getSubjectLevel);
        router.put("/config/:subject").handler(context -> api.putLevel(context, api.subject(context).name()));
        router.route().last().handler(context -> error(context, 404, 404, "No route for "
                + context.request().method() + " " + context.request().path()));
        router.route().failureHandler(SchemasApi::failure);
        return router;
    }

    private void schemaById(RoutingContext context) {
        int id;
        try {
            id = Integer.parseInt(context.pathParam("id"));
        } catch (NumberFormatException e) {
            throw SchemaApiException.schemaNotFound("Schema id '" + context.pathParam("id") + "' is not a number");
        }
        Schema schema = state.schema(id).orElseThrow(() -> SchemaApiException.schemaNotFound("Schema " + id
                + " not found"));
        respond(context, new JsonObject().put("schema", schema.toString()));
    }

    private void listSubjects(RoutingContext context) {
        respond(context, new JsonArray(state.subjects().all().stream().map(Subject::name).toList()));
    }

    private void listVersions(RoutingContext context) {
        respond(context, new JsonArray(state.versions(subject(context)).stream().map(SubjectVersion::version)
                .toList()));
    }

    private void getVersion(RoutingContext context) {
        respond(context, view(version(context)));
    }

    private void getVersionSchema(RoutingContext context) {
        context.response().putHeader("Content-Type", CONTENT_TYPE).end(version(context).schema().toString());
    }

    private void lookup(RoutingContext context) {
        Subject subject = subject(context);
        Schema schema = schemaOf(context);
        SubjectVersion version = state.find(subject, schema).orElseThrow(() -> SchemaApiException.schemaNotFound(
                "Schema not found under subject '" + subject.name() + "'"));
        respond(context, view(version));
    }

    private void register(RoutingContext context) {
        Subject subject = subject(context);
        Schema schema = schemaOf(context);
        // A schema the subject holds is answered without a token: serializers register on every start.
        Optional<SubjectVersion> held = state.find(subject, schema);
        if (held.isPresent()) {
            respond(context, new JsonObject().put("id", held.get().id()));
            return;
        }
        // Checked before the token too, so that a producer learns what is wrong with its schema first.
        List<String> problems = writes.problems(subject, schema, null);
        if (!problems.isEmpty()) {
            throw SchemaApiException.incompatible(subject.name(), state.effectiveLevel(subject.name()), problems);
        }
        ApiToken token = service.authenticator().requireFromSchemaClient(authorization(context), Role.SCHEMA);
        service.write(registry -> writes.register(registry, subject, schema, token.name()))
                .onSuccess(version -> respond(context, new JsonObject().put("id", version.id())))
                .onFailure(context::fail);
    }

    /** Whether a schema could be registered after a version of the subject ({@code ?verbose=true}: and why not). */
    private void testCompatibility(RoutingContext context) {
        Subject subject = subject(context);
        SubjectVersion version = version(context);
        List<SubjectVersion> versions = state.versions(subject);
        boolean latest = version.version() == versions.get(versions.size() - 1).version();
        List<String> problems = writes.problems(subject, schemaOf(context), latest ? null : version.version());
        JsonObject answer = new JsonObject().put("is_compatible", problems.isEmpty());
        if (Boolean.parseBoolean(context.request().getParam("verbose"))) {
            answer.put("messages", new JsonArray(problems));
        }
        respond(context, answer);
    }

    private void getGlobalLevel(RoutingContext context) {
        respond(context, new JsonObject().put("compatibilityLevel", state.globalLevel().name()));
    }

    private void getSubjectLevel(RoutingContext context) {
        Subject subject = subject(context);
        boolean defaultToGlobal = Boolean.parseBoolean(context.request().getParam("defaultToGlobal"));
        CompatibilityLevel level = state.level(subject.name()).or(() -> defaultToGlobal
                ? Optional.of(state.globalLevel()) : Optional.empty())
                .orElseThrow(() -> SchemaApiException.subjectLevelNotFound(subject.name()));
        respond(context, new JsonObject().put("compatibilityLevel", level.name()));
    }

    private void putLevel(RoutingContext context, String subject) {
        String requested = body(context).getValue("compatibility") instanceof String text ? text : null;
        if (requested == null) {
            throw SchemaApiException.invalidLevel("(missing: send {\"compatibility\": \"BACKWARD\"})");
        }
        CompatibilityLevel level;
        try {
            level = CompatibilityLevel.valueOf(requested.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SchemaApiException.invalidLevel(requested);
        }
        // Clients set the level a subject already has when they first register (kafkajs does): no change, no token.
        if (level == (subject == null ? state.globalLevel() : state.effectiveLevel(subject))) {
            respond(context, new JsonObject().put("compatibility", level.name()));
            return;
        }
        ApiToken token = service.authenticator().requireFromSchemaClient(authorization(context), Role.ADMIN);
        service.write(registry -> writes.configure(registry, subject, level, token.name()))
                .onSuccess(set -> respond(context, new JsonObject().put("compatibility", set.name())))
                .onFailure(context::fail);
    }

    private static String authorization(RoutingContext context) {
        return context.request().getHeader("Authorization");
    }

    private Subject subject(RoutingContext context) {
        String name = context.pathParam("subject");
        return state.subjects().find(name).orElseThrow(() -> SchemaApiException.subjectNotFound(name,
                state.subjects()));
    }

    private SubjectVersion version(RoutingContext context) {
        Subject subject = subject(context);
        String requested = context.pathParam("version");
        List<SubjectVersion> versions = state.versions(subject);
        if (requested.equals("latest") || requested.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(requested);
        } catch (NumberFormatException e) {
            throw SchemaApiException.invalidVersion(requested);
        }
        if (number < 1) {
            throw SchemaApiException.invalidVersion(requested);
        }
        return versions.stream().filter(version -> version.version() == number).findFirst()
                .orElseThrow(() -> SchemaApiException.versionNotFound(subject.name(), requested));
    }

    /** The Avro schema a lookup or registration sends: {@code {"schema": "...", "schemaType"?, "references"?}}. */
    private static Schema schemaOf(RoutingContext context) {
        JsonObject body = body(context);
        Object type = body.getValue("schemaType");
        if (type != null && !"AVRO".equals(type)) {
            throw SchemaApiException.invalidSchema("Only Avro schemas are held here, not " + type);
        }
        JsonArray references = body.getValue("references") instanceof JsonArray array ? array : new JsonArray();
        if (!references.isEmpty()) {
            throw SchemaApiException.invalidSchema("Schema references are not supported: send the whole schema");
        }
        if (!(body.getValue("schema") instanceof String text)) {
            throw SchemaApiException.invalidSchema("Send {\"schema\": \"<the Avro schema as a JSON string>\"}");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (AvroRuntimeException e) {
            // Bad syntax, or a default that does not fit its field. A JSON parser's message ends with where it stopped
            // in a source it does not show: keep the first line.
            String message = String.valueOf(e.getMessage());
            throw SchemaApiException.invalidSchema("Invalid schema: " + message.lines().findFirst().orElse(message)
                    .replaceFirst(" at \\[Source:.*", ""));
        }
    }

    private static JsonObject body(RoutingContext context) {
        try {
            JsonObject body = context.body().asJsonObject();
            if (body == null) {
                throw SchemaApiException.invalidSchema("Send a JSON object body");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            throw SchemaApiException.invalidSchema("The body is not a JSON object: " + e.getMessage());
        }
    }

    private static JsonObject view(SubjectVersion version) {
        return new JsonObject().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.schema().toString());
    }

    private static void respond(RoutingContext context, Object body) {
        context.response().setStatusCode(200).putHeader("Content-Type", CONTENT_TYPE)
                .end(body instanceof JsonArray array ? array.encode() : ((JsonObject) body).encode());
    }

    private static void error(RoutingContext context, int status, int errorCode, String message) {
        context.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE)
                .end(new JsonObject().put("error_code", errorCode).put("message", message).encode());
    }

    /** Failures in Confluent's shape: its own codes, then the registry's refusals (auth, read-only, unavailable). */
    private static void failure(RoutingContext context) {
        if (context.response().ended()) {
            return;
        }
        Throwable failure = context.failure();
        if (failure instanceof SchemaApiException refusal) {
            error(context, refusal.status(), refusal.errorCode(), refusal.getMessage());
        } else if (failure instanceof ServiceException refusal && refusal.error().equals("read_only")) {
            // Confluent's clients take a 409 for an incompatible schema: a read-only instance answers as Confluent's does.
            SchemaApiException readOnly = SchemaApiException.readOnly();
            error(context, readOnly.status(), readOnly.errorCode(), readOnly.getMessage());
        } else if (failure instanceof ServiceException refusal) {
            error(context, refusal.status(), refusal.status() * 100 + 1, refusal.detail());
        } else if (context.statusCode() == 413) {
            error(context, 413, 41301, "The request body is over " + BODY_LIMIT + " bytes");
        } else {
            String id = UUID.randomUUID().toString();
            log.error("Schemas API request {} {} failed (error id {})", context.request().method(),
                    context.request().path(), id, failure);
            error(context, 500, 50001, "The request failed; the registry log has error id " + id);
        }
    }
}
