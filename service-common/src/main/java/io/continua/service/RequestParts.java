package io.continua.service;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reading a request's parts, refusing what is malformed with a 400 that says why. */
public final class RequestParts {
    private RequestParts() {
    }

    /**
     * The body as a JSON object. A body declared as anything but JSON ({@code application/json} or a
     * {@code +json} type) is refused with 415 before it is read.
     */
    public static JsonObject jsonBody(RoutingContext context) {
        String type = context.request().getHeader("Content-Type");
        String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            throw new HttpFailure(415, "unsupported_media_type", "Send the body as application/json"
                    + (type == null ? "" : ", not " + type));
        }
        try {
            JsonObject body = context.body().asJsonObject();
            if (body == null) {
                throw new HttpFailure(400, "missing_body", "Send a JSON object body");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            throw new HttpFailure(400, "malformed_json", "The body is not a JSON object: " + e.getMessage());
        }
    }

    /** A path parameter that must match {@code pattern}, e.g. a domain or alias name. */
    public static String name(RoutingContext context, String parameter, Pattern pattern) {
        String value = context.pathParam(parameter);
        if (value == null || !pattern.matcher(value).matches()) {
            throw new HttpFailure(400, "invalid_" + parameter, "The " + parameter + " '" + value + "' does not match "
                    + pattern.pattern());
        }
        return value;
    }
}
