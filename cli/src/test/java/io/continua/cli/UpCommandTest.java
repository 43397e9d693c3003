package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code continua up} keeps its HTTP services to this machine unless told otherwise. */
class UpCommandTest {
    @Test
    void listensOnLoopbackByDefaultAndWhereToldOtherwise() {
        CommandLine defaults = new CommandLine(new UpCommand());
        defaults.parseArgs();
        assertThat((String) defaults.getCommandSpec().findOption("--host").getValue()).isEqualTo("127.0.0.1");

        CommandLine everywhere = new CommandLine(new UpCommand());
        everywhere.parseArgs("--host", "0.0.0.0");
        assertThat((String) everywhere.getCommandSpec().findOption("--host").getValue()).isEqualTo("0.0.0.0");
    }
}
