package io.continua.schemas.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/** Headers ingest puts on {@code examples.accepted} records for the trainer: part of the contract between them. */
public final class ExampleHeaders {
    /** The text was accepted before with another label: this record's label replaces it. */
    public static final String CORRECTION = "continua.correction";

    private ExampleHeaders() {
    }

    public static void markCorrection(Headers headers) {
        headers.add(CORRECTION, "true".getBytes(StandardCharsets.UTF_8));
    }

    public static boolean isCorrection(Headers headers) {
        return headers.lastHeader(CORRECTION) != null;
    }
}
