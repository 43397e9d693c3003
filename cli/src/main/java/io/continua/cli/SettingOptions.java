package io.continua.cli;

import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SettingValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns declared settings into a command's options: one flag per setting, its help written from the setting's
 * doc, type, default, valid values and environment variable. Values are read back as text and checked by the
 * definitions, so a flag, a variable and a default go through the same validation.
 */
final class SettingOptions {
    private SettingOptions() {
    }

    static void addTo(CommandSpec command, SettingDefs defs) {
        for (Setting<?> setting : defs.settings()) {
            OptionSpec.Builder option = OptionSpec.builder(setting.flag())
                    .type(String.class)
                    .paramLabel(setting.type().name().toUpperCase(Locale.ROOT))
                    .description(help(setting));
            if (setting.type() == SettingType.BOOLEAN) {
                // A bare --registry-read-only means true, as a flag would.
                option.arity("0..1").fallbackValue("true");
            }
            command.addOption(option.build());
        }
    }

    /** The values of {@code defs}: flags given on the command line, else environment variables, else defaults. */
    static SettingValues resolve(CommandSpec command, SettingDefs defs, Map<String, String> environment) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Setting<?> setting : defs.settings()) {
            OptionSpec option = command.findOption(setting.flag());
            String text = option.getValue();
            if (text != null) {
                given.put(setting.name(), text);
            }
        }
        return defs.resolve(given, environment);
    }

    private static String[] help(Setting<?> setting) {
        List<String> facts = new ArrayList<>();
        facts.add("env " + setting.env());
        facts.add("default " + setting.renderedDefault().replace("`", ""));
        if (!setting.validator().description().isEmpty()) {
            facts.add(setting.validator().description().replace("`", ""));
        }
        String doc = setting.doc().replace("`", "");
        return new String[] {Character.toUpperCase(doc.charAt(0)) + doc.substring(1) + " ("
                + String.join("; ", facts) + ")."};
    }
}
