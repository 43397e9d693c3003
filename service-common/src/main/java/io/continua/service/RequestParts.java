package io.continua.service;

import io.continua.schemas.errors.ServiceException;
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
            throw new ServiceException(ServiceException.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send the body as application/json"
                    + (type == null ? "" : ", not " + type));
        }
        try {
            JsonObject body = context.body().asJsonObject();
            if (body == null) {
                throw ServiceException.invalid("missing_body", "Send a JSON object body");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            throw ServiceException.invalid("malformed_json", "The body is not a JSON object: " + e.getMessage());
        }
    }

    /** A path parameter that must match {@code pattern}, e.g. a domain or alias name. */
    public static String name(RoutingContext context, String parameter, Pattern pattern) {
        String value = context.pathParam(parameter);
        if (value == null || !pattern.matcher(value).matches()) {
            throw ServiceException.invalid("invalid_" + parameter, "The " + parameter + " '" + value + "' does not match "
                    + pattern.pattern());
        }
        return value;
    }
}
