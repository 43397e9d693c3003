package io.continua.service.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a setting's text (a flag or an environment variable) becomes a value, and back for the docs.
 *
 * @param name    shown in help and the docs ({@code int}, {@code duration}, ...)
 * @param secret  values are never printed: help, docs and logs show {@code [hidden]}
 */
public record SettingType<T>(String name, Function<String, T> parser, Function<T, String> renderer, String expected,
                             boolean secret) {
    public static final SettingType<String> STRING = plain("string", text -> text, "text");
    /** Text that must not be printed: tokens, passwords. */
    public static final SettingType<String> PASSWORD = new SettingType<>("password", text -> text,
            text -> text, "text", true);
    public static final SettingType<Integer> INT = plain("int", text -> Integer.valueOf(text.trim()), "an integer");
    public static final SettingType<Long> LONG = plain("long", text -> Long.valueOf(text.trim()), "an integer");
    public static final SettingType<Double> DOUBLE = plain("double", text -> Double.valueOf(text.trim()), "a number");
    public static final SettingType<Boolean> BOOLEAN = plain("boolean", SettingType::parseBoolean, "true or false");
    /** ISO-8601, as {@link Duration#parse} reads it: {@code PT20S}, {@code PT1H}, {@code P7D}. */
    public static final SettingType<Duration> DURATION = plain("duration",
            text -> Duration.parse(text.trim().toUpperCase(Locale.ROOT)), "an ISO-8601 duration such as PT20S or P7D");
    public static final SettingType<Path> PATH = plain("path", Path::of, "a file path");
    /** A comma-separated list; blanks around items and empty items are dropped. */
    public static final SettingType<List<String>> LIST = new SettingType<>("list", SettingType::parseList,
            items -> String.join(",", items), "a comma-separated list", false);
    /** A comma-separated list whose items are secrets; blanks around items and empty items are dropped. */
    public static final SettingType<List<String>> PASSWORD_LIST = new SettingType<>("list", SettingType::parseList,
            items -> String.join(",", items), "a comma-separated list", true);

    private static <T> SettingType<T> plain(String name, Function<String, T> parser, String expected) {
        return new SettingType<>(name, parser, Object::toString, expected, false);
    }

    /** The value of {@code text}, or an exception whose message says what was expected. */
    public T parse(String text) {
        try {
            return parser.apply(text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected);
        }
    }

    public String render(T value) {
        return secret ? "[hidden]" : renderer.apply(value);
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
    }

    private static List<String> parseList(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
    }
}
