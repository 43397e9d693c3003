package io.continua.schemas.registry;

/** The registry answered with an error: its HTTP status and its {@code {error, detail}}. */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    public RegistryException(int status, String error, String detail) {
        super("HTTP " + status + " " + error + ": " + detail);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
