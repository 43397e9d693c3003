package io.continua.serving.deltas;

import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.errors.ServiceException.Kind;

/** A request names something serving cannot answer with: an unknown domain, version or alias, or none loaded yet. */
public final class NoDeltaException extends ServiceException {
    private static final long serialVersionUID = 1L;

    public NoDeltaException(Kind kind, String error, String detail) {
        super(kind, error, detail);
    }
}
