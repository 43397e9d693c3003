package io.continua.cli;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the ingest service alone against a Kafka cluster, until Ctrl-C. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Run the ingest service alone against a Kafka cluster until Ctrl-C.",
            "Kafka Streams, exactly-once: validate, normalize, de-duplicate and split labeled examples,",
            "dead-letter the rest, and measure prequential accuracy. Serves GET /v1/domains/{d}/stats,",
            "/health, /ready, /metrics."})
final class IngestCommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions cluster;



    @Option(names = "--http-port", defaultValue = "${env:CONTINUA_INGEST_PORT:-8083}",
            description = "Stats and health port (env CONTINUA_INGEST_PORT, default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--application-id", defaultValue = "${env:CONTINUA_INGEST_APPLICATION_ID:-continua-ingest}",
            description = "Kafka Streams application id (env CONTINUA_INGEST_APPLICATION_ID, default ${DEFAULT-VALUE}).")
    private String applicationId;

    @Option(names = "--holdout-fraction", defaultValue = "${env:CONTINUA_HOLDOUT_FRACTION:-0.1}",
            description = "Share of texts assigned to HOLDOUT (env CONTINUA_HOLDOUT_FRACTION, default ${DEFAULT-VALUE}).")
    private double holdoutFraction;

    @Option(names = "--max-text-length", defaultValue = "${env:CONTINUA_MAX_TEXT_LENGTH:-10000}",
            description = "Longest accepted text in characters (env CONTINUA_MAX_TEXT_LENGTH, default ${DEFAULT-VALUE}).")
    private int maxTextLength;

    @Option(names = "--max-label-length", defaultValue = "${env:CONTINUA_MAX_LABEL_LENGTH:-100}",
            description = "Longest accepted label (env CONTINUA_MAX_LABEL_LENGTH, default ${DEFAULT-VALUE}).")
    private int maxLabelLength;

    @Option(names = "--dedup-retention", defaultValue = "${env:CONTINUA_DEDUP_RETENTION:-P7D}",
            description = "How long seen texts are remembered, ISO-8601 (env CONTINUA_DEDUP_RETENTION, "
                    + "default ${DEFAULT-VALUE}).")
    private Duration dedupRetention;

    @Option(names = "--max-future-skew", defaultValue = "${env:CONTINUA_MAX_FUTURE_SKEW:-P1D}",
            description = "How far ahead an event time may be (env CONTINUA_MAX_FUTURE_SKEW, default ${DEFAULT-VALUE}).")
    private Duration maxFutureSkew;

    @Option(names = "--prequential-window", defaultValue = "${env:CONTINUA_PREQUENTIAL_WINDOW:-PT1H}",
            description = "How long after a prediction its label is joined (env CONTINUA_PREQUENTIAL_WINDOW, "
                    + "default ${DEFAULT-VALUE}).")
    private Duration prequentialWindow;

    @Option(names = "--metrics-window", defaultValue = "${env:CONTINUA_METRICS_WINDOW:-PT1M}",
            description = "Window of reported prequential accuracy (env CONTINUA_METRICS_WINDOW, default ${DEFAULT-VALUE}).")
    private Duration metricsWindow;

    @Override
    public Integer call() throws InterruptedException {
        IngestConfig config = new IngestConfig(cluster.kafka(), applicationId, cluster.topics(),
                cluster.dataDir.resolve("ingest").resolve("state"), holdoutFraction, maxTextLength, maxLabelLength,
                dedupRetention, maxFutureSkew, prequentialWindow, metricsWindow, "0.0.0.0", httpPort,
                Duration.ofMillis(200));
        Vertx vertx = Vertx.vertx();
        IngestService service = IngestService.start(config, vertx);
        CountDownLatch stopped = OnShutdown.close("ingest", service, vertx::close);
        System.out.println("Ingest running: stats on http://127.0.0.1:" + service.httpPort() + "/v1/domains");
        stopped.await();
        return 0;
    }
}
