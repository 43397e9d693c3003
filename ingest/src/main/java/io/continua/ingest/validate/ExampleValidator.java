package io.continua.ingest.validate;

import io.continua.ingest.IngestConfig;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.kafka.DomainNames;
import java.time.Instant;
import java.util.Optional;

/** Checks one decoded example against ingest's rules; the first rule it breaks is the reason. */
public final class ExampleValidator {

    private final IngestConfig config;

    public ExampleValidator(IngestConfig config) {
        this.config = config;
    }

    /** A refusal: the reason and a detail a producer can act on. */
    public record Rejection(RejectionReason reason, String detail) {
    }

    /**
     * @param key            the record key as published (may be null)
     * @param normalizedText the example's text after {@link TextNormalizer}
     * @param now            the current time, for the future-skew rule
     */
    public Optional<Rejection> check(String key, LabeledExample example, String normalizedText, Instant now) {
        String domain = example.getDomain();
        if (!DomainNames.isValid(domain)) {
            return reject(RejectionReason.INVALID_DOMAIN, "domain '" + domain + "' does not match "
                    + DomainNames.PATTERN.pattern());
        }
        if (key != null && !key.equals(domain)) {
            return reject(RejectionReason.KEY_DOMAIN_MISMATCH, "key '" + key + "' but domain '" + domain + "'");
        }
        if (example.getId() == null || example.getId().isBlank()) {
            return reject(RejectionReason.BLANK_ID, "the id is blank");
        }
        if (normalizedText.isEmpty()) {
            return reject(RejectionReason.BLANK_TEXT, "no text is left after normalization");
        }
        if (normalizedText.length() > config.maxTextLength()) {
            return reject(RejectionReason.TEXT_TOO_LONG, "text of " + normalizedText.length()
                    + " characters, the limit is " + config.maxTextLength());
        }
        String label = example.getLabel() == null ? "" : example.getLabel().strip();
        if (label.isEmpty()) {
            return reject(RejectionReason.BLANK_LABEL, "the label is blank");
        }
        if (label.length() > config.maxLabelLength()) {
            return reject(RejectionReason.LABEL_TOO_LONG, "label of " + label.length() + " characters, the limit is "
                    + config.maxLabelLength());
        }
        if (example.getEventTime() == null) {
            return reject(RejectionReason.MISSING_EVENT_TIME, "eventTime is missing");
        }
        long eventTime = example.getEventTime().toEpochMilli();
        if (eventTime < IngestConfig.EARLIEST_EVENT_TIME_MS
                || eventTime > now.plus(config.maxFutureSkew()).toEpochMilli()) {
            return reject(RejectionReason.ABSURD_EVENT_TIME, "eventTime " + example.getEventTime()
                    + " is before 2000 or more than " + config.maxFutureSkew() + " ahead");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(RejectionReason reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
