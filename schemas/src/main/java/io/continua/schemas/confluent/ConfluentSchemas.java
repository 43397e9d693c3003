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
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas of Confluent-format records, by id. The schemas this build ships are known here by
 * their {@link SchemaIds}, without asking anyone; any other id is asked of a Schema-Registry-compatible
 * API (Continua's registry under {@code /schemas-api}, or Confluent's, Karapace, Apicurio) once, since an
 * id never changes meaning. Continua's own output is written with the id that registry gives its
 * schema. A registry that does not answer is asked again for a while (a restart, a failover) before the
 * caller is told it is unavailable. Thread-safe.
 */
public final class ConfluentSchemas {
    private static final Logger log = LoggerFactory.getLogger(ConfluentSchemas.class);
    /** What Confluent's clients send and its registry answers. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** Confluent's error code for an id or schema the registry does not have. */
    static final int SCHEMA_NOT_FOUND = 40403;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration LAST_RETRY = Duration.ofSeconds(2);
    /** How long an unanswered call is retried: below the transaction timeout of a stream that waits for it. */
    public static final Duration RETRY_FOR = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Integer, Schema> SHIPPED = shippedById();

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final Duration retryFor;
    private final ConcurrentMap<Integer, Schema> fetched = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Integer> registered = new ConcurrentHashMap<>();

    private ConfluentSchemas(URI base, String userInfo, Duration retryFor) {
        this.base = base;
        this.authorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.http = base == null ? null : HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        this.retryFor = retryFor;
    }

    /** Only the schemas this build ships: other ids are unknown. */
    public static ConfluentSchemas shippedOnly() {
        return new ConfluentSchemas(null, null, Duration.ZERO);
    }

    /**
     * The shipped schemas, and the registry at {@code baseUrl} for every other id, asked again for
     * {@link #RETRY_FOR} when it does not answer.
     *
     * @param userInfo {@code user:password} for HTTP basic authentication, or null
     */
    public static ConfluentSchemas at(String baseUrl, String userInfo) {
        return at(baseUrl, userInfo, RETRY_FOR);
    }

    /** As {@link #at(String, String)}, retrying for {@code retryFor}. */
    public static ConfluentSchemas at(String baseUrl, String userInfo, Duration retryFor) {
        return new ConfluentSchemas(URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/"), userInfo, retryFor);
    }

    /** A schema this build ships, by its {@link SchemaIds id}. */
    public static Optional<Schema> shipped(int id) {
        return Optional.ofNullable(SHIPPED.get(id));
    }

    /** Where ids are resolved, for messages. */
    public String source() {
        return base == null ? "the schemas this build ships (no Schema Registry configured)"
                : "the Schema Registry at " + base;
    }

    /**
     * The Avro schema with this id; empty when the registry has no such id.
     *
     * @throws UnusableSchemaException            when the id holds a schema Continua cannot read records with
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
        Optional<JsonNode> answer = call(() -> HttpRequest.newBuilder(base.resolve("schemas/ids/" + id)).GET(), true);
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        String type = answer.get().path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new UnusableSchemaException("Schema id " + id + " in " + source() + " is a " + type
                    + " schema; Continua reads Avro");
        }
        try {
            Schema schema = new Schema.Parser().parse(answer.get().path("schema").asText());
            fetched.put(id, schema);
            return Optional.of(schema);
        } catch (AvroRuntimeException e) {
            // Not only syntax: a default that does not fit its field's type is refused too.
            throw new UnusableSchemaException("Schema id " + id + " in " + source() + " does not parse as Avro: "
                    + e.getMessage());
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
            JsonNode answer = call(() -> HttpRequest.newBuilder(base.resolve("subjects/"
                            + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions"))
                    .header("Content-Type", CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(body)), false)
                    .orElseThrow();
            if (!answer.path("id").canConvertToInt()) {
                throw new SchemaRegistryUnavailableException(source() + " answered a registration without an id: "
                        + answer, null);
            }
            return answer.path("id").asInt();
        });
    }

    /** A request to build; each attempt builds it anew. */
    private interface RequestSpec {
        HttpRequest.Builder build();
    }

    /**
     * The JSON answer; empty for the registry's "not found" ({@value #SCHEMA_NOT_FOUND}) when
     * {@code notFoundIsEmpty}. No answer or a server error is retried for {@link #retryFor}.
     */
    private Optional<JsonNode> call(RequestSpec spec, boolean notFoundIsEmpty) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        Duration pause = FIRST_RETRY;
        while (true) {
            HttpRequest.Builder builder = spec.build().timeout(REQUEST_TIMEOUT)
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            HttpRequest request = builder.build();
            String failure;
            Exception cause = null;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                Optional<JsonNode> json = parse(response.body());
                if (response.statusCode() == 200 && json.isPresent()) {
                    return json;
                }
                // Only the registry's own "not found" means the id is unknown: a 404 from a wrong URL does not.
                if (response.statusCode() == 404 && notFoundIsEmpty && json.isPresent()
                        && json.get().path("error_code").asInt() == SCHEMA_NOT_FOUND) {
                    return Optional.empty();
                }
                failure = request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
                        + abbreviate(response.body());
                if (response.statusCode() < 500) {
                    throw new SchemaRegistryUnavailableException(failure, null);
                }
            } catch (IOException e) {
                failure = "Cannot reach " + source() + ": " + e;
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("Interrupted asking " + source(), e);
            }
            if (System.nanoTime() + pause.toNanos() > deadline) {
                throw new SchemaRegistryUnavailableException(failure, cause);
            }
            log.warn("{}; asking again in {} ms", failure, pause.toMillis());
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("Interrupted asking " + source(), e);
            }
            pause = pause.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : pause.multipliedBy(2);
        }
    }

    private static Optional<JsonNode> parse(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (IOException e) {
            return Optional.empty();
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
