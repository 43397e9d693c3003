package io.continua.service.settings;

import java.util.Locale;

/**
 * One setting, declared once: its name, type, default, validator, importance and doc. The flag
 * ({@code --serving-port}) and the environment variable ({@code CONTINUA_SERVING_PORT}) are derived from the
 * name, so help, docs and error messages cannot disagree about them.
 *
 * @param defaultValue null for none: the setting is then unset unless given, or refused if {@code required}
 */
public record Setting<T>(String name, SettingType<T> type, T defaultValue, boolean required,
                         Validator<? super T> validator, Importance importance, String doc) {
    public Setting {
        if (!name.matches("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*")) {
            throw new IllegalArgumentException("A setting name is dotted lower-case words, got " + name);
        }
        if (defaultValue != null) {
            validator.check(defaultValue);
        }
    }

    /** An optional setting with no default, of importance MEDIUM; refine with the {@code with...} methods. */
    public static <T> Setting<T> of(String name, SettingType<T> type, String doc) {
        return new Setting<>(name, type, null, false, Validator.any(), Importance.MEDIUM, doc);
    }

    /** A port to listen on: 0 to 65535, 0 for a free one. */
    public static Setting<Integer> port(String name, String doc, int defaultPort) {
        return of(name, SettingType.INT, doc).defaultTo(defaultPort).validatedBy(Validator.between(0, 65_535))
                .importance(Importance.HIGH);
    }

    public Setting<T> defaultTo(T value) {
        return new Setting<>(name, type, value, false, validator, importance, doc);
    }

    /** No default: a value must be given. */
    public Setting<T> require() {
        return new Setting<>(name, type, null, true, validator, importance, doc);
    }

    public Setting<T> validatedBy(Validator<? super T> newValidator) {
        return new Setting<>(name, type, defaultValue, required, newValidator, importance, doc);
    }

    public Setting<T> importance(Importance newImportance) {
        return new Setting<>(name, type, defaultValue, required, validator, newImportance, doc);
    }

    public String flag() {
        return "--" + name.replace('.', '-');
    }

    public String env() {
        return "CONTINUA_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The value of {@code text} if this setting accepts it; otherwise an exception naming the setting. */
    T parse(String text) {
        try {
            T value = type.parse(text);
            validator.check(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage());
        }
    }

    void check(T value) {
        try {
            validator.check(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage());
        }
    }

    /** How a user finds this setting in an error message. */
    String describe() {
        return name + " (" + flag() + ", " + env() + ")";
    }

    /** The default as the docs and help show it. */
    public String renderedDefault() {
        if (required) {
            return "required";
        }
        if (defaultValue == null) {
            return "none";
        }
        String rendered = type.renderer().apply(defaultValue);
        return rendered.isEmpty() ? "empty" : rendered;
    }
}
