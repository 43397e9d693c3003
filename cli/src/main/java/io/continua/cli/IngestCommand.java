package io.continua.cli;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.continua.ingest.IngestSettings;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import picocli.CommandLine.Command;

/** Runs the ingest service alone against a Kafka cluster, until Ctrl-C. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Run the ingest service alone against a Kafka cluster until Ctrl-C.",
            "Kafka Streams, exactly-once: validate, normalize, de-duplicate and split labeled examples, "
            + "dead-letter the rest, and measure prequential accuracy. Serves GET /v1/domains/{d}/stats, "
            + "/health, /ready, /metrics."})
final class IngestCommand extends SettingsCommand {
    @Override
    public SettingDefs settingDefs() {
        return IngestSettings.DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        IngestConfig config = IngestConfig.of(settings);
        return OnShutdown.serve("ingest", settings, vertx -> IngestService.start(config, vertx),
                ingest -> "Ingest running: stats on http://127.0.0.1:" + ingest.httpPort() + "/v1/domains");
    }
}
