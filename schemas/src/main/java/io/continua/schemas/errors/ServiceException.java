package io.continua.schemas.errors;

import java.util.Arrays;

/**
 * A refusal with a meaning, the error contract of every Continua HTTP API on both sides of the wire: services
 * throw it from domain code and map it to HTTP in one place ({@code {error, detail}} with the kind's status);
 * clients raise it from such an answer. Anything else a service throws is a bug: a 500 with an id in its log.
 *
 * @see Kind
 */
public class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as the caller can act on it; each has one HTTP status. */
    public enum Kind {
        /** The request is malformed: fix it. */
        INVALID(400),
        UNAUTHENTICATED(401),
        FORBIDDEN(403),
        NOT_FOUND(404),
        /** The request conflicts with the current state (a version in use, a fenced writer, a read-only replica). */
        CONFLICT(409),
        GONE(410),
        TOO_LARGE(413),
        UNSUPPORTED_MEDIA_TYPE(415),
        /** Well-formed but refused by validation (an artifact, a config, a lineage). */
        UNPROCESSABLE(422),
        /** Too much work queued: retry later. */
        OVERLOADED(429),
        /** The service failed on its side (seen by clients only: services never throw it). */
        INTERNAL(500),
        /** Not able to do it now (not ready, a dependency down): retry later. */
        UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** The kind of an HTTP status a service answered; statuses no kind has map to INVALID or INTERNAL. */
        public static Kind ofStatus(int status) {
            return Arrays.stream(values()).filter(kind -> kind.status == status).findFirst()
                    .orElse(status < 500 ? INVALID : INTERNAL);
        }
    }

    private final Kind kind;
    private final String error;
    private final String detail;

    public ServiceException(Kind kind, String error, String detail) {
        // No stack trace: a refusal is expected, and its message says everything.
        super("HTTP " + kind.status() + " " + error + ": " + detail, null, false, false);
        this.kind = kind;
        this.error = error;
        this.detail = detail;
    }

    public static ServiceException invalid(String error, String detail) {
        return new ServiceException(Kind.INVALID, error, detail);
    }

    public static ServiceException notFound(String error, String detail) {
        return new ServiceException(Kind.NOT_FOUND, error, detail);
    }

    public static ServiceException conflict(String error, String detail) {
        return new ServiceException(Kind.CONFLICT, error, detail);
    }

    public static ServiceException unprocessable(String error, String detail) {
        return new ServiceException(Kind.UNPROCESSABLE, error, detail);
    }

    public static ServiceException unavailable(String error, String detail) {
        return new ServiceException(Kind.UNAVAILABLE, error, detail);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return kind.status();
    }

    /** The machine-readable code ({@code unknown_domain}, {@code read_only}, ...). */
    public String error() {
        return error;
    }

    /** What a person reads: the {@code detail} of the JSON answer. */
    public String detail() {
        return detail;
    }
}
