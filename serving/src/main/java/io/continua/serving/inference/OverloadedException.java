package io.continua.serving.inference;

import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.errors.ServiceException.Kind;

/** The domain's queue is full: answered 429 with Retry-After rather than waiting without bound. */
public final class OverloadedException extends ServiceException {
    private static final long serialVersionUID = 1L;

    public OverloadedException(String domain, int capacity) {
        super(Kind.OVERLOADED, "overloaded", "Domain '" + domain + "' has " + capacity + " texts waiting; retry shortly");
    }
}
