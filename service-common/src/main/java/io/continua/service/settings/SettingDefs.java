package io.continua.service.settings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one service (or command), in the order they are documented: what Kafka's {@code ConfigDef} is
 * to its clients. Values come from flags and environment variables through {@link #resolve}; the README's tables
 * come from {@link #markdownTable}.
 */
public final class SettingDefs {
    private final String name;
    private final Map<String, Setting<?>> settings;

    private SettingDefs(String name, Map<String, Setting<?>> settings) {
        this.name = name;
        this.settings = settings;
    }

    public static SettingDefs of(String name, List<Setting<?>> settings) {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        for (Setting<?> setting : settings) {
            if (byName.put(setting.name(), setting) != null) {
                throw new IllegalStateException(name + " declares " + setting.name() + " twice");
            }
        }
        return new SettingDefs(name, byName);
    }

    public String name() {
        return name;
    }

    public Collection<Setting<?>> settings() {
        return settings.values();
    }

    /** Every value at its default; fails if a setting is required. */
    public SettingValues defaults() {
        return resolve(Map.of(), Map.of());
    }

    /**
     * The values given as flags (by setting name), else by environment variable, else the defaults. Every problem
     * is reported at once, each naming its setting's flag and variable.
     *
     * @param given        texts by setting name, as the flags gave them
     * @param environment  the process environment ({@code System.getenv()})
     */
    public SettingValues resolve(Map<String, String> given, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        for (String unknown : given.keySet()) {
            if (!settings.containsKey(unknown)) {
                problems.add(unknown + ": not a setting of " + name);
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting<?> setting : settings.values()) {
            String text = given.containsKey(setting.name()) ? given.get(setting.name())
                    : environment.get(setting.env());
            try {
                if (text != null) {
                    values.put(setting.name(), setting.parse(text));
                } else if (setting.required()) {
                    problems.add(setting.describe() + ": a value is required");
                } else {
                    values.put(setting.name(), setting.defaultValue());
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(problems);
        }
        return new SettingValues(this, values);
    }

    /** Whether a setting of this name is one of these. */
    public boolean defines(Setting<?> setting) {
        return settings.containsKey(setting.name());
    }

    void requireDefined(Setting<?> setting) {
        if (!defines(setting)) {
            throw new IllegalArgumentException(setting.name() + " is not a setting of " + name);
        }
    }

    /** The documentation table: by importance, then in declaration order. */
    public String markdownTable() {
        return markdownTable(List.of());
    }

    /** The documentation table without the settings documented elsewhere (the shared ones, for a service). */
    public String markdownTable(Collection<Setting<?>> documentedElsewhere) {
        StringBuilder table = new StringBuilder("| flag | environment | default | valid values | meaning |\n"
                + "| --- | --- | --- | --- | --- |\n");
        settings.values().stream().filter(setting -> !documentedElsewhere.contains(setting))
                .sorted(Comparator.comparing(Setting::importance)).forEach(setting ->
                table.append("| `").append(setting.flag()).append("` | `").append(setting.env()).append("` | ")
                        .append(code(setting.renderedDefault(), setting.defaultValue() != null)).append(" | ")
                        .append(setting.validator().description()).append(" | ")
                        .append(setting.doc().replace("|", "\\|")).append(" |\n"));
        return table.toString();
    }

    private static String code(String text, boolean literal) {
        return literal ? "`" + text + "`" : text;
    }
}
