package io.continua.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench rollout} end to end, small: the good candidate promoted, the bad version rolled back, every figure set. */
class RolloutBenchIT {
    @Test
    void promotesTheBetterCandidateAndRollsBackTheBadVersion() throws Exception {
        Path dir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "rollout-" + UUID.randomUUID());
        int status = new CommandLine(new BenchCommand()).execute("rollout", "--intents", "5", "--strong-shots", "30",
                "--min-labels", "40", "--metrics-window", "PT3S", "--datasets-dir",
                System.getProperty("continua.datasets.dir", "../data"), "--data-dir", dir.toString(),
                "--json", dir.resolve("json").toString());
        assertThat(status).isZero();

        JsonNode figures = new ObjectMapper().readTree(dir.resolve("json").resolve("rollout.json").toFile());
        assertThat(figures.path("good_promoted").asBoolean()).isTrue();
        assertThat(figures.path("bad_rolled_back").asBoolean()).isTrue();
        assertThat(figures.path("promote_after_s").asDouble()).isPositive();
        assertThat(figures.path("rollback_after_s").asDouble()).isPositive();
        assertThat(figures.path("bad_answers_served").asLong()).isPositive();
        assertThat(figures.path("live_accuracy_bad").asDouble())
                .isLessThan(figures.path("live_accuracy_promoted").asDouble());
        assertThat(figures.path("rollback_reason").asText()).startsWith("rollout: production v");
    }
}
