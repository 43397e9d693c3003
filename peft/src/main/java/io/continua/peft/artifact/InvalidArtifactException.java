package io.continua.peft.artifact;

/** A delta archive that must not be loaded, with what is wrong with it. */
public final class InvalidArtifactException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidArtifactException(String message) {
        super(message);
    }

    public InvalidArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
