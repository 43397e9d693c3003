package io.continua.service.settings;

import java.util.List;

/** One or more settings had values their definitions refuse; the message names each with its flag and variable. */
public final class InvalidSettingException extends IllegalArgumentException {
    private final List<String> problems;

    public InvalidSettingException(List<String> problems) {
        super(problems.size() == 1 ? "Invalid setting: " + problems.get(0)
                : "Invalid settings:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
