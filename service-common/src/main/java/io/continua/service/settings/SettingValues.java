package io.continua.service.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** The values of one service's settings, checked against their definitions; copies are made with {@link #with}. */
public final class SettingValues {
    private final SettingDefs defs;
    private final Map<String, Object> values;

    SettingValues(SettingDefs defs, Map<String, Object> values) {
        this.defs = defs;
        this.values = values;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        defs.requireDefined(setting);
        return (T) values.get(setting.name());
    }

    /** A copy with {@code setting} set to {@code value}, which the setting's validator must accept. */
    public <T> SettingValues with(Setting<T> setting, T value) {
        defs.requireDefined(setting);
        try {
            if (value != null) {
                setting.check(value);
            } else if (setting.required()) {
                throw new IllegalArgumentException(setting.describe() + ": a value is required");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(List.of(e.getMessage()));
        }
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(setting.name(), value);
        return new SettingValues(defs, copy);
    }

    public SettingDefs defs() {
        return defs;
    }

    /** The values that differ from their defaults, secrets hidden: one log line at start. */
    public String changedFromDefaults() {
        StringJoiner changed = new StringJoiner(", ");
        for (Setting<?> setting : defs.settings()) {
            appendIfChanged(changed, setting);
        }
        return changed.length() == 0 ? "all defaults" : changed.toString();
    }

    private <T> void appendIfChanged(StringJoiner changed, Setting<T> setting) {
        T value = get(setting);
        if (value != null && !value.equals(setting.defaultValue())) {
            changed.add(setting.name() + "=" + setting.type().render(value));
        }
    }
}
