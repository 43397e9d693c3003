package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without a terminal, progress is a line per tenth of the way, not a redrawn bar. */
class ProgressBarTest {
    @Test
    void writesALinePerTenthWhenNotOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar("steps", 1_000, new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        for (int done = 1; done <= 1_000; done++) {
            bar.advance(done);
        }
        bar.done();
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertThat(log).doesNotContain("\r");
        List<String> lines = log.lines().toList();
        assertThat(lines).hasSize(11);
        assertThat(lines.get(0)).startsWith("steps 1/1000 (0%)");
        assertThat(lines.get(5)).startsWith("steps 500/1000 (50%)");
        assertThat(lines.get(10)).startsWith("steps 1000/1000 (100%)");
    }
}
