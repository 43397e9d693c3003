package io.continua.service;

import io.continua.schemas.errors.ServiceException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strict reading of a JSON object's fields: an integer is an integral number within its range (never
 * a fraction cut down, never a long wrapped around), a string is a string, a number is finite. A
 * field of the wrong type or out of range is a 400 whose detail names the field by its path (e.g.
 * {@code promotion.margin}); the error code is the caller's.
 */
public final class JsonFields {
    private final JsonObject object;
    private final String error;
    private final String path;

    private JsonFields(JsonObject object, String error, String path) {
        this.object = object;
        this.error = error;
        this.path = path;
    }

    /** The fields of {@code object}; refusals carry {@code error} as their code. */
    public static JsonFields of(JsonObject object, String error) {
        return new JsonFields(object, error, "");
    }

    /** A nested object's fields, named under this one's path; an absent object reads as empty. */
    public JsonFields object(String field) {
        Object value = object.getValue(field);
        if (value != null && !(value instanceof JsonObject)) {
            throw refusal(field, "an object", value);
        }
        return new JsonFields(value == null ? new JsonObject() : (JsonObject) value, error, name(field) + ".");
    }

    public boolean has(String field) {
        return object.getValue(field) != null;
    }

    public Optional<String> string(String field) {
        Object value = object.getValue(field);
        if (value != null && !(value instanceof String)) {
            throw refusal(field, "a string", value);
        }
        return Optional.ofNullable((String) value);
    }

    public Optional<Boolean> bool(String field) {
        Object value = object.getValue(field);
        if (value != null && !(value instanceof Boolean)) {
            throw refusal(field, "true or false", value);
        }
        return Optional.ofNullable((Boolean) value);
    }

    /** An integral number in {@code [min, max]}. */
    public Optional<Long> integer(String field, long min, long max) {
        Object value = object.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        String expected = String.format(Locale.ROOT, "an integer in [%d, %d]", min, max);
        if (!(value instanceof Number number)) {
            throw refusal(field, expected, value);
        }
        BigDecimal exact = new BigDecimal(number.toString());
        if (exact.stripTrailingZeros().scale() > 0 || exact.compareTo(BigDecimal.valueOf(min)) < 0
                || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw refusal(field, expected, value);
        }
        return Optional.of(exact.longValueExact());
    }

    /** An integral number that fits an {@code int}, in {@code [min, max]}. */
    public Optional<Integer> integer(String field, int min, int max) {
        return integer(field, (long) min, max).map(Math::toIntExact);
    }

    /** A finite number in {@code [min, max]}. */
    public Optional<Double> number(String field, double min, double max) {
        Object value = object.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        String expected = "a number in [" + min + ", " + max + "]";
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())
                || number.doubleValue() < min || number.doubleValue() > max) {
            throw refusal(field, expected, value);
        }
        return Optional.of(number.doubleValue());
    }

    /**
     * A setting given as a string or a finite number, as the flat string it is kept as (an integral
     * number without a fraction: {@code 8}, not {@code 8.0}).
     */
    public Optional<String> scalar(String field) {
        Object value = object.getValue(field);
        if (value == null || value instanceof String) {
            return Optional.ofNullable((String) value);
        }
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw refusal(field, "a string or a finite number", value);
        }
        BigDecimal exact = new BigDecimal(number.toString()).stripTrailingZeros();
        return Optional.of(exact.scale() <= 0 ? exact.toPlainString() : number.toString());
    }

    /** An array of strings. */
    public Optional<List<String>> strings(String field) {
        Object value = object.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof JsonArray array)) {
            throw refusal(field, "an array of strings", value);
        }
        List<String> strings = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            if (!(item instanceof String text)) {
                throw refusal(field + "[" + i + "]", "a string", item);
            }
            strings.add(text);
        }
        return Optional.of(strings);
    }

    /** An array of objects, each read with its index in its path ({@code trainedOn[2].topic}). */
    public List<JsonFields> objects(String field) {
        Object value = object.getValue(field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw refusal(field, "an array of objects", value);
        }
        List<JsonFields> objects = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            if (!(item instanceof JsonObject element)) {
                throw refusal(field + "[" + i + "]", "an object", item);
            }
            objects.add(new JsonFields(element, error, name(field) + "[" + i + "]."));
        }
        return objects;
    }

    /** A field this object must have. */
    public <T> T required(String field, Optional<T> value) {
        return value.orElseThrow(() -> invalid(field, "is required"));
    }

    /** The field names of this object. */
    public Set<String> names() {
        return object.fieldNames();
    }

    /** Every field read as a setting ({@link #scalar}), in order; null fields are left out. */
    public Map<String, String> scalars() {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : names()) {
            scalar(name).ifPresent(value -> settings.put(name, value));
        }
        return settings;
    }

    /** A refusal naming {@code field} (under this object's path) and what it should be. */
    private ServiceException invalid(String field, String why) {
        return ServiceException.invalid(error, "Field '" + name(field) + "' " + why);
    }

    private ServiceException refusal(String field, String expected, Object value) {
        String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        return invalid(field, "must be " + expected + ", got " + (shown.length() > 80 ? shown.substring(0, 80) + "..."
                : shown));
    }

    private String name(String field) {
        return path + field;
    }
}
