package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.ingest.IngestConfig;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.serving.ServingConfig;
import io.continua.trainer.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void passesEachServicesTuningToThatService() {
        SettingValues up = settings(Map.of("CONTINUA_DEDUP_RETENTION", "P1D"), "--max-batch", "7",
                "--gate-margin", "0.2");

        assertThat(ServingConfig.defaults("kafka:9092", "http://registry:8081").withValuesOf(up, UpCommand.TUNING)
                .maxBatch()).isEqualTo(7);
        TrainerConfig trainer = TrainerConfig.defaults("kafka:9092", "http://registry:8081", "secret-token")
                .withValuesOf(up, UpCommand.TUNING);
        assertThat(trainer.gateMargin()).isEqualTo(0.2);
        assertThat(trainer.registryToken()).as("what the stack decides is not tuning").isEqualTo("secret-token");
        assertThat(IngestConfig.defaults("kafka:9092", Path.of("target", "unused")).withValuesOf(up, UpCommand.TUNING)
                .dedupRetention()).isEqualTo(Duration.ofDays(1));
    }

    private static String hostOf(Map<String, String> environment, String... args) {
        return settings(environment, args).get(UpCommand.HOST);
    }

    private static SettingValues settings(Map<String, String> environment, String... args) {
        CommandLine continua = Continua.commandLine();
        continua.parseArgs(Stream.concat(Stream.of("up"), Arrays.stream(args)).toArray(String[]::new));
        CommandLine up = continua.getSubcommands().get("up");
        return SettingOptions.resolve(up.getCommandSpec(), UpCommand.DEFS, environment);
    }
}
