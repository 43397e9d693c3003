package io.continua.schemas.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Headers a client may put on {@code predict.requests} records: part of the contract with serving. */
public final class RequestHeaders {
    /**
     * What a canary's share of requests is drawn by: the same key, the same version (a user, a session). The
     * record's own key is the domain, so it cannot serve; without this header the request id is used.
     */
    public static final String ROUTING_KEY = "continua.key";

    private RequestHeaders() {
    }

    public static void routeBy(Headers headers, String key) {
        headers.add(ROUTING_KEY, key.getBytes(StandardCharsets.UTF_8));
    }

    /** The routing key the client set, if any and not blank. */
    public static Optional<String> routingKey(Headers headers) {
        Header header = headers.lastHeader(ROUTING_KEY);
        return Optional.ofNullable(header).map(Header::value).map(value -> new String(value, StandardCharsets.UTF_8))
                .filter(key -> !key.isBlank());
    }
}
