package io.continua.serving.inference;

import io.continua.service.HttpFailure;

/** The domain's queue is full: answered 429 with Retry-After rather than waiting without bound. */
public final class OverloadedException extends HttpFailure {
    private static final long serialVersionUID = 1L;

    public OverloadedException(String domain, int capacity) {
        super(429, "overloaded", "Domain '" + domain + "' has " + capacity + " texts waiting; retry shortly");
    }
}
