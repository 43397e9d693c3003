package io.continua.service.settings;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What values a setting accepts, with a description for the docs (Kafka's {@code ConfigDef.Validator}).
 * Only present values are checked: an optional setting may stay unset.
 */
public record Validator<T>(String description, Predicate<? super T> accepts) {
    private static final Validator<Object> ANY = new Validator<>("", value -> true);

    @SuppressWarnings("unchecked")
    public static <T> Validator<T> any() {
        return (Validator<T>) ANY;
    }

    public static <N extends Number & Comparable<N>> Validator<N> atLeast(N min) {
        return new Validator<>("≥ " + min, value -> value.compareTo(min) >= 0);
    }

    public static <N extends Number & Comparable<N>> Validator<N> between(N min, N max) {
        return new Validator<>("[" + min + ", " + max + "]", value -> value.compareTo(min) >= 0
                && value.compareTo(max) <= 0);
    }

    /** In [0, 1): a share of something that cannot be all of it. */
    public static Validator<Double> fraction() {
        return new Validator<>("[0, 1)", value -> value >= 0 && value < 1);
    }

    public static Validator<Duration> notNegative() {
        return new Validator<>("≥ PT0S", value -> !value.isNegative());
    }

    public static Validator<Duration> positive() {
        return new Validator<>("> PT0S", value -> !value.isNegative() && !value.isZero());
    }

    public static Validator<String> oneOf(String... values) {
        List<String> allowed = List.of(values);
        return new Validator<>(String.join(", ", allowed), allowed::contains);
    }

    public static Validator<String> httpUrl() {
        return new Validator<>("an http(s) URL", url -> url.matches("https?://.+"));
    }

    public static Validator<String> notBlank() {
        return new Validator<>("not blank", value -> !value.isBlank());
    }

    /** Every item parses: {@code parser} throws an IllegalArgumentException saying why otherwise. */
    public static Validator<List<String>> eachParses(String description, Function<String, ?> parser) {
        return new Validator<>(description, items -> {
            items.forEach(parser::apply);
            return true;
        });
    }

    /** Checks {@code value}; the message of the exception says what is accepted. */
    void check(T value) {
        if (!accepts.test(value)) {
            throw new IllegalArgumentException("must be " + description);
        }
    }
}
