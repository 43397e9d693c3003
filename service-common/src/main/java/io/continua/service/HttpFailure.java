package io.continua.service;

/** An expected refusal: its HTTP status, a machine-readable error code and a detail for people. */
public class HttpFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    public HttpFailure(int status, String error, String detail) {
        super(detail, null, false, false);
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
