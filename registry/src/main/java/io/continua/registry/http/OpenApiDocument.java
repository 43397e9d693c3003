package io.continua.registry.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The OpenAPI 3 description of the registry, generated from its route table. */
final class OpenApiDocument {
    private static final Pattern PARAMETER = Pattern.compile("\\{([a-zA-Z]+)}");
    private static final Map<Integer, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(304, "Not modified (ETag matched)"),
            Map.entry(400, "Malformed request or name"), Map.entry(401, "No valid bearer token"),
            Map.entry(403, "The token lacks the role"), Map.entry(404, "Unknown domain, version or alias"),
            Map.entry(409, "Conflict: aliased version, deleted version, or a read-only instance"),
            Map.entry(410, "The version was deleted"), Map.entry(413, "Over the size limit"),
            Map.entry(422, "The artifact or metadata failed validation"), Map.entry(503, "Not ready"));

    private OpenApiDocument() {
    }

    static JsonObject of(List<ApiRoute> routes) {
        JsonObject paths = new JsonObject();
        for (ApiRoute route : routes) {
            JsonObject path = paths.getJsonObject(route.path());
            if (path == null) {
                path = new JsonObject();
                paths.put(route.path(), path);
            }
            JsonObject operation = new JsonObject().put("summary", route.summary())
                    .put("parameters", parameters(route.path()))
                    .put("responses", responses(route.responses()));
            if (route.role() != null) {
                operation.put("security", new JsonArray().add(new JsonObject().put("bearer", new JsonArray())))
                        .put("x-required-role", route.role().name().toLowerCase(Locale.ROOT));
            }
            path.put(route.method().name().toLowerCase(Locale.ROOT), operation);
        }
        return new JsonObject()
                .put("openapi", "3.0.3")
                .put("info", new JsonObject().put("title", "Continua registry").put("version", "1")
                        .put("description", "Versioned PEFT deltas per domain, their aliases and configuration. "
                                + "Errors are {error, detail}."))
                .put("paths", paths)
                .put("components", new JsonObject().put("securitySchemes", new JsonObject()
                        .put("bearer", new JsonObject().put("type", "http").put("scheme", "bearer"))));
    }

    private static JsonArray parameters(String path) {
        JsonArray parameters = new JsonArray();
        Matcher matcher = PARAMETER.matcher(path);
        while (matcher.find()) {
            parameters.add(new JsonObject().put("name", matcher.group(1)).put("in", "path").put("required", true)
                    .put("schema", new JsonObject().put("type", "string")));
        }
        return parameters;
    }

    private static JsonObject responses(List<Integer> codes) {
        JsonObject responses = new JsonObject();
        codes.forEach(code -> responses.put(Integer.toString(code),
                new JsonObject().put("description", DESCRIPTIONS.getOrDefault(code, "See detail"))));
        return responses;
    }
}
