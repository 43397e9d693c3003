package io.continua.registry.schemas;

import java.util.Arrays;
import java.util.List;

/**
 * A refusal of the schemas API, answered as Confluent Schema Registry answers it: the HTTP status and
 * a body {@code {"error_code": ..., "message": ...}} whose code Confluent's clients know.
 */
final class SchemaApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final int errorCode;

    SchemaApiException(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static SchemaApiException subjectNotFound(String subject, SchemaSubjects subjects) {
        return new SchemaApiException(404, 40401, "Subject '" + subject + "' not found; Continua's subjects are "
                + subjects.all().stream().map(SchemaSubjects.Subject::name).toList());
    }

    static SchemaApiException versionNotFound(String subject, String version) {
        return new SchemaApiException(404, 40402, "Version " + version + " not found in subject '" + subject + "'");
    }

    static SchemaApiException schemaNotFound(String message) {
        return new SchemaApiException(404, 40403, message);
    }

    static SchemaApiException subjectLevelNotFound(String subject) {
        return new SchemaApiException(404, 40408, "Subject '" + subject + "' does not have subject-level "
                + "compatibility configured");
    }

    static SchemaApiException incompatible(String subject, CompatibilityLevel level, List<String> problems) {
        return new SchemaApiException(409, 409, "Schema being registered is incompatible with an earlier schema for "
                + "subject \"" + subject + "\" (" + level + "), details: " + problems);
    }

    static SchemaApiException readOnly() {
        return new SchemaApiException(422, 42205, "This registry instance serves reads only; register schemas at "
                + "the writing instance");
    }

    static SchemaApiException invalidSchema(String message) {
        return new SchemaApiException(422, 42201, message);
    }

    static SchemaApiException invalidVersion(String version) {
        return new SchemaApiException(422, 42202, "The specified version '" + version + "' is not a valid version id. "
                + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static SchemaApiException invalidLevel(String level) {
        return new SchemaApiException(422, 42203, "Invalid compatibility level '" + level + "'; one of "
                + Arrays.toString(CompatibilityLevel.values()));
    }
}
