package io.continua.schemas.confluent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continua.schemas.serde.SchemaCatalog;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The schemas of Confluent-format records, by id. The schemas this build ships are known here by
 * their {@link SchemaIds}, without asking anyone; any other id is asked of a Schema-Registry-compatible
 * API (Continua's registry under {@code /schemas-api}, or Confluent's, Karapace, Apicurio) once, since an
 * id never changes meaning. Continua's own output is written with the id that registry gives its
 * schema. Thread-safe.
 */
public final class ConfluentSchemas {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Integer, Schema> SHIPPED = shippedById();

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final ConcurrentMap<Integer, Schema> fetched = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Integer> registered = new ConcurrentHashMap<>();

    private ConfluentSchemas(URI base, String userInfo) {
        this.base = base;
        this.authorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.http = base == null ? null : HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** Only the schemas this build ships: other ids are unknown. */
    public static ConfluentSchemas shippedOnly() {
        return new ConfluentSchemas(null, null);
    }

    /**
     * The shipped schemas, and the registry at {@code baseUrl} for every other id.
     *
     * @param userInfo {@code user:password} for HTTP basic authentication, or null
     */
    public static ConfluentSchemas at(String baseUrl, String userInfo) {
        return new ConfluentSchemas(URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/"), userInfo);
    }

    /** Where ids are resolved, for messages. */
    public String source() {
        return base == null ? "the schemas this build ships (no Schema Registry configured)"
                : "the Schema Registry at " + base;
    }

    /**
     * The Avro schema with this id; empty when no such Avro schema is registered.
     *
     * @throws SchemaRegistryUnavailableException when the registry cannot be asked
     */
    public Optional<Schema> byId(int id) {
        Schema known = SHIPPED.get(id);
        if (known == null) {
            known = fetched.get(id);
        }
        if (known != null || base == null) {
            return Optional.ofNullable(known);
        }
        Optional<JsonNode> answer = call(HttpRequest.newBuilder(base.resolve("schemas/ids/" + id)).GET(), true);
        if (answer.isEmpty() || !answer.get().path("schemaType").asText("AVRO").equals("AVRO")) {
            return Optional.empty();
        }
        try {
            Schema schema = new Schema.Parser().parse(answer.get().path("schema").asText());
            fetched.put(id, schema);
            return Optional.of(schema);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryUnavailableException(source() + " answered id " + id + " with a schema that "
                    + "does not parse: " + e.getMessage(), e);
        }
    }

    /**
     * The id {@code schema} has under {@code subject}: registered there if it is not yet (a registry that already
     * holds it only answers its id). Without a registry, the shipped schema's own id.
     *
     * @throws SchemaRegistryUnavailableException when the registry cannot be asked or refuses the schema
     */
    public int idOf(String subject, Schema schema) {
        if (base == null) {
            return SchemaIds.of(schema);
        }
        return registered.computeIfAbsent(subject + "\n" + schema, key -> {
            String body;
            try {
                body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("subjects/"
                            + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions"))
                    .header("Content-Type", CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(body));
            JsonNode answer = call(request, false).orElseThrow();
            if (!answer.path("id").canConvertToInt()) {
                throw new SchemaRegistryUnavailableException(source() + " answered a registration without an id: "
                        + answer, null);
            }
            return answer.path("id").asInt();
        });
    }

    /** The JSON answer; empty for a 404 when {@code notFoundIsEmpty}. */
    private Optional<JsonNode> call(HttpRequest.Builder request, boolean notFoundIsEmpty) {
        request.timeout(TIMEOUT).header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpRequest built = request.build();
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("Cannot reach " + source() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("Interrupted asking " + source(), e);
        }
        if (response.statusCode() == 404 && notFoundIsEmpty) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new SchemaRegistryUnavailableException(built.method() + " " + built.uri() + " answered "
                    + response.statusCode() + ": " + abbreviate(response.body()), null);
        }
        try {
            return Optional.of(JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException(built.uri() + " answered something other than JSON: "
                    + abbreviate(response.body()), e);
        }
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    private static Map<Integer, Schema> shippedById() {
        Map<Integer, Schema> byId = new HashMap<>();
        SchemaCatalog.standard().schemas().forEach(schema -> byId.put(SchemaIds.of(schema), schema));
        return Map.copyOf(byId);
    }
}
