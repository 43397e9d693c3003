package io.continua.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** One benchmark's figures, in the order they were measured; written as {@code <name>.json}. */
public final class BenchResult {
    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    public BenchResult(String name) {
        this.name = name;
    }

    public BenchResult put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    public String name() {
        return name;
    }

    public Map<String, Object> figures() {
        return figures;
    }
}
