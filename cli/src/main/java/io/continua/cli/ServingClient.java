package io.continua.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.service.settings.Importance;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** A client of the serving API for the CLI's predict, eval, demo and benchmarks. Thread-safe. */
public final class ServingClient {
    /** Where the CLI's client commands find serving. */
    static final Setting<String> URL = Setting.of("serving.url", SettingType.STRING, "serving's base URL")
            .defaultTo("http://127.0.0.1:8082").validatedBy(Validator.httpUrl()).importance(Importance.HIGH);
    static final SettingDefs DEFS = SettingDefs.of("client", List.of(URL));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public ServingClient(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** The answer {@code {predictions: [...]}} for several texts; an error answer raises with its detail. */
    JsonNode predict(String domain, List<String> texts) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("texts");
        texts.forEach(array::add);
        return post("/v1/domains/" + domain + "/predict", body);
    }

    /** The answer for one text; an error answer or an unreachable server raises. */
    public JsonNode predictOne(String domain, String text) {
        return post("/v1/domains/" + domain + "/predict", JSON.createObjectNode().put("text", text));
    }

    /** What a domain serves now, or null if serving does not know it yet. */
    public JsonNode status(String domain) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/v1/domains/" + domain)).GET());
        return response.statusCode() == 200 ? read(response.body()) : null;
    }

    private JsonNode post(String path, JsonNode body) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        JsonNode answer = read(response.body());
        if (response.statusCode() != 200) {
            throw new ServingException(response.statusCode(), answer.path("error").asText(),
                    answer.path("detail").asText());
        }
        return answer;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Serving at " + base + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("Serving answered something that is not JSON", e);
        }
    }

    /** An error answer of the serving API. */
    static final class ServingException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ServingException(int status, String error, String detail) {
            super("HTTP " + status + " " + error + ": " + detail);
            this.status = status;
        }

        int status() {
            return status;
        }
    }
}
