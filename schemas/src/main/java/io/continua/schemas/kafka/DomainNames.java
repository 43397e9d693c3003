package io.continua.schemas.kafka;

import java.util.regex.Pattern;

/** Domain and alias names: {@code [a-z0-9][a-z0-9._-]{0,62}}, safe in topic keys, paths and file names. */
public final class DomainNames {
    public static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private DomainNames() {
    }

    public static boolean isValid(String name) {
        return name != null && PATTERN.matcher(name).matches();
    }
}
