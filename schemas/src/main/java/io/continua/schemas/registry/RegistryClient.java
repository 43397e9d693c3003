package io.continua.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.errors.ServiceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A client of the registry's HTTP API ({@code /v1}), for the services that talk to it (trainer,
 * serving) and for operators' tools. Non-2xx answers raise {@link ServiceException}; a network
 * failure raises {@link UncheckedIOException}. Thread-safe.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ALL_VERSIONS_PAGE = 500;

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    /** @param token a bearer token, or null for reads only */
    public RegistryClient(String baseUrl, String token, Duration timeout) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** The name and role of this client's token: what the registry records as the uploader of its versions. */
    public JsonNode whoami() {
        return json(get("/v1/whoami"));
    }

    public JsonNode domains() {
        return json(get("/v1/domains"));
    }

    /** A domain's summary and effective config; empty if the registry does not know it. */
    public Optional<JsonNode> domain(String domain) {
        return optional(() -> json(get("/v1/domains/" + domain)));
    }

    public JsonNode configure(String domain, ObjectNode config) {
        return json(send(request("/v1/domains/" + domain).PUT(body(config)).header("Content-Type", "application/json")));
    }

    /** One page of versions, oldest first, after version {@code after}. */
    public JsonNode versions(String domain, int after, int limit) {
        return json(get("/v1/domains/" + domain + "/versions?after=" + after + "&limit=" + limit));
    }

    /** Every version of a domain, oldest first, read page by page. */
    public List<JsonNode> allVersions(String domain) {
        List<JsonNode> all = new ArrayList<>();
        int after = 0;
        while (true) {
            JsonNode page = versions(domain, after, ALL_VERSIONS_PAGE);
            page.path("versions").forEach(all::add);
            if (!page.path("next").isInt()) {
                return all;
            }
            after = page.path("next").asInt();
        }
    }

    /** Every version of a domain as its record, oldest first. */
    public List<DeltaVersion> versionRecords(String domain) {
        return allVersions(domain).stream().map(VersionJson::fromJson).toList();
    }

    public Optional<JsonNode> version(String domain, int version) {
        return optional(() -> json(get("/v1/domains/" + domain + "/versions/" + version)));
    }

    /** The archive of a version, as the registry stores it (check its SHA-256 against the version's). */
    public byte[] artifact(String domain, int version) {
        return send(request("/v1/domains/" + domain + "/versions/" + version + "/artifact").GET(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    /**
     * Uploads an archive with its metadata (parentVersion, trainedOn, metrics, hyperparameters,
     * trainWallMs, sha256); returns the registry's answer {@code {version, sha256, promoted, ...}}.
     */
    public JsonNode upload(String domain, byte[] archive, UploadMetadata metadata) {
        return upload(domain, archive, metadata.toJson());
    }

    /** Uploads with metadata as JSON, as any client may send it (tests send malformed ones too). */
    public JsonNode upload(String domain, byte[] archive, ObjectNode metadata) {
        String boundary = "continua-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writePart(body, boundary, "Content-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n", metadata.toString().getBytes(StandardCharsets.UTF_8));
        writePart(body, boundary, "Content-Disposition: form-data; name=\"artifact\"; filename=\"delta.zip\"\r\n"
                + "Content-Type: application/zip\r\n", archive);
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return json(send(request("/v1/domains/" + domain + "/versions")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))));
    }

    public JsonNode moveAlias(String domain, String alias, int version, String reason) {
        return moveAlias(domain, alias, version, reason, Optional.empty());
    }

    /** Moves an alias and holds it there ({@code hold} true), releases it (false) or leaves that as it was (empty). */
    public JsonNode moveAlias(String domain, String alias, int version, String reason, Optional<Boolean> hold) {
        ObjectNode move = JSON.createObjectNode().put("version", version).put("reason", reason);
        hold.ifPresent(held -> move.put("hold", held));
        return json(send(request("/v1/domains/" + domain + "/aliases/" + alias).PUT(body(move))
                .header("Content-Type", "application/json")));
    }

    public JsonNode aliases(String domain) {
        return json(get("/v1/domains/" + domain + "/aliases"));
    }

    public JsonNode aliasHistory(String domain, String alias) {
        return json(get("/v1/domains/" + domain + "/aliases/" + alias + "/history"));
    }

    /** Live (prequential) accuracy of each version of the domain, with confidence intervals. */
    public JsonNode live(String domain) {
        return json(get("/v1/domains/" + domain + "/live"));
    }

    public JsonNode deleteVersion(String domain, int version) {
        return json(send(request("/v1/domains/" + domain + "/versions/" + version).DELETE()));
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        HttpRequest built = request.build();
        try {
            HttpResponse<T> response = http.send(built, handler);
            if (response.statusCode() >= 300) {
                throw failure(response);
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException("Registry at " + base + " is unreachable (" + built.method() + " "
                    + built.uri().getPath() + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling the registry", e);
        }
    }

    private static ServiceException failure(HttpResponse<?> response) {
        String body = response.body() instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : String.valueOf(response.body());
        try {
            JsonNode error = JSON.readTree(body);
            return new ServiceException(ServiceException.Kind.ofStatus(response.statusCode()), error.path("error").asText("error"),
                    error.path("detail").asText(body));
        } catch (IOException e) {
            return new ServiceException(ServiceException.Kind.ofStatus(response.statusCode()), "error", body);
        }
    }

    private static <T> Optional<T> optional(java.util.function.Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (ServiceException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("The registry answered something that is not JSON", e);
        }
    }

    private static HttpRequest.BodyPublisher body(JsonNode json) {
        return HttpRequest.BodyPublishers.ofString(json.toString());
    }

    private static void writePart(ByteArrayOutputStream body, String boundary, String headers, byte[] content) {
        body.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
}
