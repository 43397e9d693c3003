package io.continua.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.registry.http.RegistryApi;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.confluent.SchemaIds;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Schema-Registry-compatible API over real HTTP, on a real registry and its log: what Confluent's
 * serializers and deserializers ask, the answers' and errors' shapes, registration held to the
 * compatibility level and to what Continua reads, and ids and versions that stay across a restart
 * and agree on a read-only replica.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class SchemasApiIT {
    /** A producer's own schema as a team would write it: Continua's record without the fields it leaves null. */
    private static final String PRODUCER_SCHEMA = "{\"type\": \"record\", \"name\": \"LabeledExample\", "
            + "\"namespace\": \"io.continua.schemas\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}, "
            + "{\"name\": \"domain\", \"type\": \"string\"}, {\"name\": \"text\", \"type\": \"string\"}, "
            + "{\"name\": \"label\", \"type\": \"string\"}, {\"name\": \"eventTime\", \"type\": [\"null\", "
            + "{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}], \"default\": null}%s]}";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Vertx vertx;
    private RegistryFixture fixture;
    private RegistryService registry;
    private String examples;

    @BeforeEach
    void start(EmbeddedKafka kafka) throws Exception {
        vertx = Vertx.vertx();
        fixture = new RegistryFixture(kafka, 2L * 1024 * 1024);
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        examples = fixture.topics.examples() + "-value";
    }

    @AfterEach
    void stop() {
        registry.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void everySubjectHoldsTheSchemasContinuaShipsUnderTheirOwnIds() {
        JsonArray subjects = new JsonArray(call("GET", "/subjects", null, null).body());
        assertThat(subjects.getList()).contains(examples, fixture.topics.predictRequests() + "-value",
                fixture.topics.predictResults() + "-value").doesNotContain(fixture.topics.deltas() + "-value");
        assertThat(new JsonArray(call("GET", "/subjects/" + examples + "/versions", null, null).body()).getList())
                .containsExactly(1);
        JsonObject latest = ok(call("GET", "/subjects/" + examples + "/versions/latest", null, null));
        int id = SchemaIds.of(LabeledExample.getClassSchema());
        assertThat(latest.getInteger("id")).isEqualTo(id);
        assertThat(latest.getString("subject")).isEqualTo(examples);
        assertThat(SchemaIds.of(new Schema.Parser().parse(latest.getString("schema")))).isEqualTo(id);
        String byId = ok(call("GET", "/schemas/ids/" + id, null, null)).getString("schema");
        assertThat(SchemaIds.of(new Schema.Parser().parse(byId))).isEqualTo(id);
        assertThat(byId).as("the schema as other languages read it").doesNotContain("avro.java.string");
        assertThat(ok(call("POST", "/subjects/" + examples, schemaBody(LabeledExample.getClassSchema().toString()),
                null)).getInteger("version")).as("lookup").isEqualTo(1);
        // The producer's client registers on start: a schema the subject holds is answered without a token.
        assertThat(ok(call("POST", "/subjects/" + examples + "/versions",
                schemaBody(LabeledExample.getClassSchema().toString()), null)).getInteger("id")).isEqualTo(id);
        assertThat(ConfluentSchemas.at(schemasApi(), null).idOf(fixture.topics.predictResults() + "-value",
                Prediction.getClassSchema())).isEqualTo(SchemaIds.of(Prediction.getClassSchema()));

        refused(call("GET", "/subjects/nope-value/versions", null, null), 404, 40401);
        refused(call("GET", "/subjects/" + examples + "/versions/7", null, null), 404, 40402);
        refused(call("GET", "/subjects/" + examples + "/versions/first", null, null), 422, 42202);
        refused(call("GET", "/schemas/ids/12345", null, null), 404, 40403);
        refused(call("POST", "/subjects/" + examples, schemaBody(String.format(PRODUCER_SCHEMA, "")), null), 404,
                40403);
        refused(call("POST", "/subjects/" + examples + "/versions", schemaBody("{\"type\": \"recrd\"}"), writer()),
                422, 42201);
        HttpResponse<String> truncated = call("POST", "/subjects/" + examples + "/versions",
                schemaBody("{\"type\": "), writer());
        refused(truncated, 422, 42201);
        assertThat(truncated.body()).doesNotContain("REDACTED").doesNotContain("Source:");
        refused(call("POST", "/subjects/" + examples + "/versions", schemaBody(String.format(PRODUCER_SCHEMA,
                ", {\"name\": \"n\", \"type\": \"int\", \"default\": \"x\"}")), writer()), 422, 42201);
        refused(call("POST", "/subjects/" + examples + "/versions", new JsonObject().put("schema", "{}")
                .put("schemaType", "PROTOBUF").encode(), writer()), 422, 42201);
        refused(call("GET", "/no/such/path", null, null), 404, 404);
    }

    @Test
    void aProducersCompatibleSchemaIsRegisteredOnceAndKeepsItsIdAndVersion() throws Exception {
        String producer = schemaBody(String.format(PRODUCER_SCHEMA, ""));
        refused(call("POST", "/subjects/" + examples + "/versions", producer, null), 401, 40101);
        refused(call("POST", "/subjects/" + examples + "/versions", producer, basic(RegistryFixture.READER)), 403,
                40301);
        int id = ok(call("POST", "/subjects/" + examples + "/versions", producer, basic(RegistryFixture.PRODUCER)))
                .getInteger("id");
        assertThat(rawStatus("/v1/whoami", basic(RegistryFixture.ADMIN))).as("basic authentication is for the "
                + "schemas API only").isEqualTo(401);
        assertThat(rawStatus("/v1/whoami", bearer(RegistryFixture.PRODUCER))).isEqualTo(200);
        assertThat(id).isNotEqualTo(SchemaIds.of(LabeledExample.getClassSchema()));
        assertThat(ok(call("POST", "/subjects/" + examples + "/versions", producer, null)).getInteger("id"))
                .as("registered again, without a token").isEqualTo(id);
        assertThat(new JsonArray(call("GET", "/subjects/" + examples + "/versions", null, null).body()).getList())
                .containsExactly(1, 2);
        assertThat(ConfluentSchemas.at(schemasApi(), null).byId(id)).hasValueSatisfying(schema ->
                assertThat(schema.getField("split")).isNull());

        registry.close();
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        JsonObject second = ok(call("GET", "/subjects/" + examples + "/versions/2", null, null));
        assertThat(second.getInteger("id")).as("after a restart").isEqualTo(id);
        try (RegistryService replica = RegistryService.start(fixture.config.with(RegistrySettings.READ_ONLY, true)
                .with(RegistrySettings.DIR, fixture.dir.resolve("replica")), fixture.encoder, vertx)) {
            assertThat(ConfluentSchemas.at(replica.url() + RegistryApi.SCHEMAS_API, null).byId(id)).isPresent();
            JsonObject onReplica = new JsonObject(call(replica, "GET", "/subjects/" + examples + "/versions/latest",
                    null, null).body());
            assertThat(onReplica.getInteger("version")).isEqualTo(2);
            refused(call(replica, "POST", "/subjects/" + examples + "/versions",
                    schemaBody(String.format(PRODUCER_SCHEMA, ", {\"name\": \"source\", \"type\": \"string\", "
                            + "\"default\": \"\"}")), basic(RegistryFixture.WRITER)), 422, 42205);
        }
    }

    @Test
    void incompatibleSchemasAreRefusedAsConfluentRefusesThemAndLevelsAreKept() throws Exception {
        String extraRequired = schemaBody(String.format(PRODUCER_SCHEMA, ", {\"name\": \"source\", \"type\": "
                + "\"string\"}"));
        HttpResponse<String> backward = call("POST", "/subjects/" + examples + "/versions", extraRequired, null);
        refused(backward, 409, 409);
        JsonObject test = ok(call("POST", "/compatibility/subjects/" + examples + "/versions/latest?verbose=true",
                extraRequired, null));
        assertThat(test.getBoolean("is_compatible")).isFalse();
        assertThat(test.getJsonArray("messages").encode()).contains("source");
        assertThat(ok(call("POST", "/compatibility/subjects/" + examples + "/versions/1",
                schemaBody(String.format(PRODUCER_SCHEMA, "")), null)).getBoolean("is_compatible")).isTrue();
        assertThat(backward.body()).contains("BACKWARD").contains("source");
        String unreadable = schemaBody(String.format(PRODUCER_SCHEMA, "").replace(
                "{\"name\": \"text\", \"type\": \"string\"}", "{\"name\": \"text\", \"type\": \"int\"}"));
        HttpResponse<String> unreadableAnswer = call("POST", "/subjects/" + examples + "/versions", unreadable,
                basic(RegistryFixture.WRITER));
        refused(unreadableAnswer, 409, 409);
        assertThat(unreadableAnswer.body()).contains("Continua's io.continua.schemas.LabeledExample cannot read");
        refused(call("POST", "/subjects/" + fixture.topics.predictResults() + "-value/versions",
                schemaBody(String.format(PRODUCER_SCHEMA, "")), basic(RegistryFixture.WRITER)), 409, 409);

        assertThat(ok(call("GET", "/config", null, null)).getString("compatibilityLevel")).isEqualTo("BACKWARD");
        refused(call("GET", "/config/" + examples, null, null), 404, 40408);
        // What kafkajs sends after its first registration: the level in effect, which changes nothing.
        assertThat(ok(call("PUT", "/config/" + examples, new JsonObject().put("compatibility", "BACKWARD").encode(),
                null)).getString("compatibility")).isEqualTo("BACKWARD");
        refused(call("GET", "/config/" + examples, null, null), 404, 40408);
        assertThat(ok(call("GET", "/config/" + examples + "?defaultToGlobal=true", null, null))
                .getString("compatibilityLevel")).isEqualTo("BACKWARD");
        String none = new JsonObject().put("compatibility", "NONE").encode();
        refused(call("PUT", "/config/" + examples, none, basic(RegistryFixture.WRITER)), 403, 40301);
        refused(call("PUT", "/config/" + examples, new JsonObject().put("compatibility", "SOMETIMES").encode(),
                basic(RegistryFixture.ADMIN)), 422, 42203);
        assertThat(ok(call("PUT", "/config/" + examples, none, bearer(RegistryFixture.ADMIN)))
                .getString("compatibility")).isEqualTo("NONE");
        assertThat(ok(call("GET", "/config/" + examples, null, null)).getString("compatibilityLevel"))
                .isEqualTo("NONE");
        // At NONE only what Continua reads matters: an added field it ignores is accepted, a wrong type still not.
        assertThat(ok(call("POST", "/subjects/" + examples + "/versions", extraRequired,
                basic(RegistryFixture.WRITER))).getInteger("id")).isPositive();
        refused(call("POST", "/subjects/" + examples + "/versions", unreadable, basic(RegistryFixture.WRITER)), 409,
                409);
        assertThat(ok(call("GET", "/config", null, null)).getString("compatibilityLevel")).isEqualTo("BACKWARD");
        assertThat(ok(call("PUT", "/config", new JsonObject().put("compatibility", "FULL").encode(),
                basic(RegistryFixture.ADMIN))).getString("compatibility")).isEqualTo("FULL");

        registry.close();
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        assertThat(ok(call("GET", "/config", null, null)).getString("compatibilityLevel")).as("after a restart")
                .isEqualTo("FULL");
        assertThat(ok(call("GET", "/config/" + examples, null, null)).getString("compatibilityLevel"))
                .isEqualTo("NONE");
    }

    private int rawStatus(String path, String authorization) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                    .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anIdTheRegistryDoesNotHaveIsUnknownToItsClient() {
        assertThat(ConfluentSchemas.at(schemasApi(), null).byId(987_654)).isEmpty();
    }

    private String schemasApi() {
        return registry.url() + RegistryApi.SCHEMAS_API;
    }

    private static String schemaBody(String schema) {
        return new JsonObject().put("schema", schema).encode();
    }

    private static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("producer:" + token).getBytes(StandardCharsets.UTF_8));
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String writer() {
        return basic(RegistryFixture.WRITER);
    }

    private HttpResponse<String> call(String method, String path, String body, String authorization) {
        return call(registry, method, path, body, authorization);
    }

    private static HttpResponse<String> call(RegistryService service, String method, String path, String body,
                                             String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + RegistryApi.SCHEMAS_API
                        + path)).header("Accept", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/vnd.schemaregistry.v1+json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.headers().firstValue("Content-Type")).as(method + " " + path)
                    .hasValue("application/vnd.schemaregistry.v1+json");
            return response;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonObject ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static void refused(HttpResponse<String> response, int status, int errorCode) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject error = new JsonObject(response.body());
        assertThat(error.getInteger("error_code")).as(response.body()).isEqualTo(errorCode);
        assertThat(error.getString("message")).isNotBlank();
    }
}
