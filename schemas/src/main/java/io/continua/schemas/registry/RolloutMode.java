package io.continua.schemas.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a domain's candidate is tried on live traffic (DomainConfig's {@code rolloutMode}): the registry
 * moves new versions to the {@link #CANDIDATE} alias instead of production, and serving scores it in the
 * shadow of production or lets it answer a share of requests.
 */
public enum RolloutMode {
    /** No candidate: promotion moves production itself. */
    NONE,
    /** The candidate scores the same texts as production, off the answer's path; production answers. */
    SHADOW,
    /** The candidate answers a share of requests, sticky by request id. */
    CANARY;

    /** The alias a rollout tries new versions under. */
    public static final String CANDIDATE = "candidate";

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode a configuration names; an unknown name (from a newer writer) reads as none. */
    public static RolloutMode of(String key) {
        return parse(key).orElse(NONE);
    }

    public static Optional<RolloutMode> parse(String key) {
        return Arrays.stream(values()).filter(mode -> mode.key().equals(key)).findFirst();
    }
}
