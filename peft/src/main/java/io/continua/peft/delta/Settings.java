package io.continua.peft.delta;

import java.util.Map;

/**
 * Reading one flat setting (as configurations and manifests keep them: strings) as a number, with a
 * default when it is absent; a value that is not a finite number of the right kind is refused with
 * an {@link IllegalArgumentException} naming the setting.
 */
public final class Settings {
    private Settings() {
    }

    public static int integer(Map<String, String> settings, String name, int fallback) {
        long value = integer(settings, name, (long) fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be an integer that fits 32 bits, got '"
                    + settings.get(name) + "'");
        }
        return (int) value;
    }

    public static long integer(Map<String, String> settings, String name, long fallback) {
        String value = settings.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }

    public static double number(Map<String, String> settings, String name, double fallback) {
        String value = settings.get(name);
        if (value == null) {
            return fallback;
        }
        double number;
        try {
            number = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
        }
        if (!Double.isFinite(number)) {
            throw new IllegalArgumentException(name + " must be a finite number, got '" + value + "'");
        }
        return number;
    }
}
