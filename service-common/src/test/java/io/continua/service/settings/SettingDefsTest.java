package io.continua.service.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingDefsTest {
    private static final Setting<Integer> PORT = Setting.of("demo.port", SettingType.INT, "the port")
            .defaultTo(8080).validatedBy(Validator.between(0, 65_535)).importance(Importance.HIGH);
    private static final Setting<Duration> WAIT = Setting.of("max.wait", SettingType.DURATION, "how long")
            .defaultTo(Duration.ofSeconds(1)).validatedBy(Validator.notNegative());
    private static final Setting<String> TOKEN = Setting.of("demo.token", SettingType.PASSWORD, "a secret").require();
    private static final Setting<Boolean> READ_ONLY = Setting.of("read.only", SettingType.BOOLEAN, "reads only")
            .defaultTo(false).importance(Importance.LOW);
    private static final SettingDefs DEFS = SettingDefs.of("demo", List.of(PORT, WAIT, TOKEN, READ_ONLY));

    @Test
    void flagsAndVariablesAreDerivedFromTheName() {
        assertThat(PORT.flag()).isEqualTo("--demo-port");
        assertThat(PORT.env()).isEqualTo("CONTINUA_DEMO_PORT");
        assertThat(WAIT.env()).isEqualTo("CONTINUA_MAX_WAIT");
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("CONTINUA_DEMO_PORT", "9000", "CONTINUA_MAX_WAIT", "PT5S",
                "CONTINUA_DEMO_TOKEN", "from-env");
        SettingValues values = DEFS.resolve(Map.of("demo.port", "9100"), env);

        assertThat(values.get(PORT)).isEqualTo(9100);
        assertThat(values.get(WAIT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(values.get(TOKEN)).isEqualTo("from-env");
        assertThat(values.get(READ_ONLY)).isFalse();
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsFlagAndVariable() {
        assertThatThrownBy(() -> DEFS.resolve(Map.of("demo.port", "70000", "max.wait", "soon", "read.only", "yes"),
                Map.of()))
                .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.problems()).containsExactly(
                        "demo.port (--demo-port, CONTINUA_DEMO_PORT): must be [0, 65535]",
                        "max.wait (--max-wait, CONTINUA_MAX_WAIT): 'soon' is not an ISO-8601 duration such as PT20S or P7D",
                        "demo.token (--demo-token, CONTINUA_DEMO_TOKEN): a value is required",
                        "read.only (--read-only, CONTINUA_READ_ONLY): 'yes' is not true or false"));
    }

    @Test
    void anUnknownSettingIsRefused() {
        assertThatThrownBy(() -> DEFS.resolve(Map.of("demo.token", "x", "demo.prot", "1"), Map.of()))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("demo.prot: not a setting of demo");
    }

    @Test
    void copiesAreCheckedLikeParsedValues() {
        SettingValues values = DEFS.resolve(Map.of("demo.token", "secret-1"), Map.of());

        assertThat(values.with(PORT, 0).get(PORT)).isZero();
        assertThat(values.get(PORT)).isEqualTo(8080);
        assertThatThrownBy(() -> values.with(WAIT, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max.wait").hasMessageContaining("≥ PT0S");
        assertThatThrownBy(() -> values.with(TOKEN, null)).hasMessageContaining("a value is required");
        Setting<Integer> foreign = Setting.of("other.port", SettingType.INT, "not ours");
        assertThatThrownBy(() -> values.get(foreign)).hasMessageContaining("not a setting of demo");
    }

    @Test
    void secretsAreNeverPrinted() {
        SettingValues values = DEFS.resolve(Map.of("demo.token", "hunter2-secret", "demo.port", "1234"), Map.of());

        assertThat(values.changedFromDefaults()).isEqualTo("demo.port=1234, demo.token=[hidden]");
        assertThat(DEFS.markdownTable()).doesNotContain("hunter2");
    }

    @Test
    void theDocsTableListsEverySettingByImportance() {
        assertThat(DEFS.markdownTable()).isEqualTo("""
                | flag | environment | default | valid values | meaning |
                | --- | --- | --- | --- | --- |
                | `--demo-port` | `CONTINUA_DEMO_PORT` | `8080` | [0, 65535] | the port |
                | `--max-wait` | `CONTINUA_MAX_WAIT` | `PT1S` | ≥ PT0S | how long |
                | `--demo-token` | `CONTINUA_DEMO_TOKEN` | required |  | a secret |
                | `--read-only` | `CONTINUA_READ_ONLY` | `false` |  | reads only |
                """);
    }

    @Test
    void aDefinitionRefusesADefaultItsValidatorRefusesAndADuplicateName() {
        assertThatThrownBy(() -> Setting.of("bad.default", SettingType.INT, "x").validatedBy(Validator.atLeast(1))
                .defaultTo(0)).hasMessageContaining("must be ≥ 1");
        assertThatThrownBy(() -> SettingDefs.of("twice", List.of(PORT, PORT))).hasMessageContaining("twice");
    }
}
