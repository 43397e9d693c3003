package io.continua.registry.log;

/** Another registry instance took over writing the log; this one may no longer write. */
public final class WriterFencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WriterFencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
