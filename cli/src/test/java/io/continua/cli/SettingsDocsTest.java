package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.ingest.IngestSettings;
import io.continua.registry.RegistrySettings;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SharedSettings;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README's configuration tables, the commands' flags and their errors all come from the setting definitions. */
class SettingsDocsTest {
    private static final List<SettingDefs> DOCUMENTED = List.of(RegistrySettings.DEFS, IngestSettings.DEFS,
            TrainerSettings.DEFS, ServingSettings.DEFS, UpCommand.DEFS, KafkaCommand.DEFS, TopicsCommand.DEFS, ServingClient.DEFS);

    /**
     * Run with {@code -Dcontinua.readme.update=true} to rewrite the tables between README's markers from the
     * definitions instead of checking them.
     */
    @Test
    void readmeTablesAreTheDefinitions() throws IOException {
        Path file = Path.of("..", "README.md");
        String readme = Files.readString(file);
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put("shared", SharedSettings.DEFS.markdownTable());
        List<Setting<?>> elsewhere = new ArrayList<>(SharedSettings.DEFS.settings());
        DOCUMENTED.forEach(defs -> tables.put(defs.name(), defs.markdownTable(defs == UpCommand.DEFS
                ? concat(elsewhere, UpCommand.TUNING) : elsewhere)));
        if (Boolean.getBoolean("continua.readme.update")) {
            for (Map.Entry<String, String> table : tables.entrySet()) {
                readme = Pattern.compile("(<!-- settings:" + table.getKey() + " -->\n).*?(<!-- /settings:)",
                        Pattern.DOTALL).matcher(readme).replaceFirst("$1" + Matcher.quoteReplacement(table.getValue())
                        + "$2");
            }
            Files.writeString(file, readme);
        }
        for (Map.Entry<String, String> table : tables.entrySet()) {
            String block = "<!-- settings:" + table.getKey() + " -->\n" + table.getValue() + "<!-- /settings:"
                    + table.getKey() + " -->";
            assertThat(readme).as("README's %s settings (-Dcontinua.readme.update=true rewrites them); the "
                    + "definitions give:%n%s", table.getKey(), block).contains(block);
        }
    }

    private static List<Setting<?>> concat(List<Setting<?>> first, List<Setting<?>> second) {
        List<Setting<?>> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }

    @Test
    void theLocalStackTakesEveryServicesTuning() {
        assertThat(UpCommand.TUNING).extracting(Setting::name).contains("max.batch", "gate.margin", "replay.capacity",
                "dedup.retention", "max.artifact.bytes").doesNotContain("registry.tokens", "trainer.group.id",
                "bootstrap");
        assertThat(UpCommand.DEFS.settings()).containsAll(UpCommand.TUNING);
    }

    @Test
    void everySettingIsAFlagWhoseHelpNamesItsVariable() {
        for (String command : List.of("registry", "ingest", "trainer", "serving", "up", "kafka", "topics")) {
            StringWriter help = new StringWriter();
            Continua.commandLine().getSubcommands().get(command).usage(new PrintWriter(help));
            SettingDefs defs = DOCUMENTED.stream().filter(d -> d.name().equals(command)).findFirst().orElseThrow();
            for (Setting<?> setting : defs.settings()) {
                assertThat(help.toString().replaceAll("\\s+", " ")).as(command).contains(setting.flag())
                        .contains("env " + setting.env());
            }
        }
    }

    @Test
    void badValuesAreRefusedTogetherBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        int exit = Continua.commandLine().setErr(new PrintWriter(err))
                .execute("trainer", "--trainer-port", "eighty", "--gate-margin", "2");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("trainer.port (--trainer-port, CONTINUA_TRAINER_PORT): 'eighty' is not "
                        + "an integer")
                .contains("gate.margin (--gate-margin, CONTINUA_GATE_MARGIN): must be [0.0, 1.0]")
                .contains("registry.token (--registry-token, CONTINUA_REGISTRY_TOKEN): a value is required");
    }
}
