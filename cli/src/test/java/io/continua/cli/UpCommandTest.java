package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.service.settings.SharedSettings;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code continua up} keeps its HTTP services to this machine unless told otherwise; a service listens everywhere. */
class UpCommandTest {
    @Test
    void listensOnLoopbackByDefaultAndWhereToldOtherwise() {
        assertThat(hostOf(Map.of())).isEqualTo("127.0.0.1");
        assertThat(hostOf(Map.of("CONTINUA_HOST", "0.0.0.0"))).isEqualTo("0.0.0.0");
        assertThat(hostOf(Map.of("CONTINUA_HOST", "0.0.0.0"), "--host", "192.168.1.2")).isEqualTo("192.168.1.2");
        assertThat(SharedSettings.DEFS.defaults().get(SharedSettings.HOST)).isEqualTo("0.0.0.0");
    }

    private static String hostOf(Map<String, String> environment, String... args) {
        CommandLine continua = Continua.commandLine();
        continua.parseArgs(Stream.concat(Stream.of("up"), Arrays.stream(args)).toArray(String[]::new));
        CommandLine up = continua.getSubcommands().get("up");
        return SettingOptions.resolve(up.getCommandSpec(), UpCommand.DEFS, environment).get(UpCommand.HOST);
    }
}
