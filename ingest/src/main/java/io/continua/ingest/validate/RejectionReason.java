package io.continua.ingest.validate;

import java.util.Locale;

/** Why ingest refused a record; the lower-case name is the {@code reason} on {@code examples.rejected}. */
public enum RejectionReason {
    /** The bytes are not a LabeledExample this build can decode. */
    UNDECODABLE,
    /** The domain does not match {@code [a-z0-9][a-z0-9._-]{0,62}}. */
    INVALID_DOMAIN,
    /** The record key names another domain than the record. */
    KEY_DOMAIN_MISMATCH,
    /** The id is blank. */
    BLANK_ID,
    /** Nothing is left of the text after normalization. */
    BLANK_TEXT,
    /** The text is longer than the configured maximum. */
    TEXT_TOO_LONG,
    /** The label is blank. */
    BLANK_LABEL,
    /** The label is longer than the configured maximum. */
    LABEL_TOO_LONG,
    /** The event time is missing. */
    MISSING_EVENT_TIME,
    /** The event time is before 2000 or further in the future than the configured skew. */
    ABSURD_EVENT_TIME;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
