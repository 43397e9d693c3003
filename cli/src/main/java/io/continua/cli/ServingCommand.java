package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.serving.ServingConfig;
import io.continua.serving.ServingService;
import io.continua.serving.ServingSettings;
import picocli.CommandLine.Command;

/** Runs the serving service alone against a Kafka cluster and a registry, until Ctrl-C. */
@Command(name = "serving", mixinStandardHelpOptions = true,
        description = {"Run the serving service alone against a Kafka cluster and a registry until Ctrl-C.",
            "POST /v1/domains/{d}/predict and predict.requests -> predict.results; every replica follows "
            + "the deltas topic and swaps deltas in without downtime."})
final class ServingCommand extends SettingsCommand {
    @Override
    public SettingDefs settingDefs() {
        return ServingSettings.DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        ServingConfig config = ServingConfig.of(settings);
        return OnShutdown.serve("serving", settings,
                vertx -> ServingService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx),
                serving -> "Serving ready on " + serving.url());
    }
}
