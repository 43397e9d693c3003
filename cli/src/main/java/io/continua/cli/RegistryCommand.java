package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.RegistrySettings;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import picocli.CommandLine.Command;

/** Runs the registry alone against a Kafka cluster, until Ctrl-C. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {"Run the registry alone against a Kafka cluster until Ctrl-C.",
            "Versioned deltas behind the /v1 HTTP API, with the deltas topic as log of record. Start further "
            + "instances with --registry-read-only to serve reads."})
final class RegistryCommand extends SettingsCommand {
    @Override
    public SettingDefs settingDefs() {
        return RegistrySettings.DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        RegistryConfig config = RegistryConfig.of(settings);
        return OnShutdown.serve("registry", settings,
                vertx -> RegistryService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx),
                registry -> "Registry ready on " + registry.url() + " (OpenAPI at " + registry.url()
                        + "/openapi.json)");
    }
}
