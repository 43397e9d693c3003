package io.continua.serving.deltas;

import io.continua.service.HttpFailure;

/** A request names something serving cannot answer with: an unknown domain, version or alias, or none loaded yet. */
public final class NoDeltaException extends HttpFailure {
    private static final long serialVersionUID = 1L;

    public NoDeltaException(int status, String error, String detail) {
        super(status, error, detail);
    }
}
