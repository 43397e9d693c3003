package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.trainer.TrainerConfig;
import io.continua.trainer.TrainerService;
import io.continua.trainer.TrainerSettings;
import picocli.CommandLine.Command;

/** Runs the trainer alone against a Kafka cluster and a registry, until Ctrl-C. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Run the continual trainer alone against a Kafka cluster and a registry until Ctrl-C.",
            "A consumer group over examples.accepted: start more instances to spread domains."})
final class TrainerCommand extends SettingsCommand {
    @Override
    public SettingDefs settingDefs() {
        return TrainerSettings.DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        TrainerConfig config = TrainerConfig.of(settings);
        return OnShutdown.serve("trainer", settings,
                vertx -> TrainerService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx),
                trainer -> "Trainer running; status on http://127.0.0.1:" + trainer.httpPort() + "/v1/domains");
    }
}
