package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.trainer.TrainerConfig;
import io.continua.trainer.TrainerService;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the trainer alone against a Kafka cluster and a registry, until Ctrl-C. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Run the continual trainer alone against a Kafka cluster and a registry until Ctrl-C.",
            "A consumer group over examples.accepted: start more instances to spread domains."})
final class TrainerCommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--registry", defaultValue = "${env:CONTINUA_REGISTRY_URL:-http://127.0.0.1:8081}",
            description = "Registry URL (env CONTINUA_REGISTRY_URL, default ${DEFAULT-VALUE}).")
    private String registryUrl;

    @Option(names = "--token", required = true, defaultValue = "${env:CONTINUA_REGISTRY_TOKEN}",
            description = "A registry token with the write role (env CONTINUA_REGISTRY_TOKEN).")
    private String token;

    @Option(names = "--http-port", defaultValue = "${env:CONTINUA_TRAINER_PORT:-8084}",
            description = "Status and metrics port (env CONTINUA_TRAINER_PORT, default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--min-new-examples", defaultValue = "${env:CONTINUA_MIN_NEW_EXAMPLES:-64}",
            description = "New TRAIN examples that start an update (env CONTINUA_MIN_NEW_EXAMPLES, default ${DEFAULT-VALUE}).")
    private int minNewExamples;

    @Option(names = "--max-interval", defaultValue = "${env:CONTINUA_MAX_INTERVAL:-PT20S}",
            description = "Update after this long if any example is new (env CONTINUA_MAX_INTERVAL, default ${DEFAULT-VALUE}).")
    private Duration maxInterval;

    @Option(names = "--steps", defaultValue = "${env:CONTINUA_STEPS_PER_UPDATE:-20}",
            description = "Optimizer steps per update, at least one pass over the new examples "
                    + "(env CONTINUA_STEPS_PER_UPDATE, default ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--idle-after", defaultValue = "${env:CONTINUA_IDLE_AFTER:-PT30S}",
            description = "Consolidate on replay after this long without new examples (env CONTINUA_IDLE_AFTER, "
                    + "default ${DEFAULT-VALUE}).")
    private Duration idleAfter;

    @Option(names = "--consolidations", defaultValue = "${env:CONTINUA_CONSOLIDATIONS:-5}",
            description = "Most consolidation rounds after new data stops (env CONTINUA_CONSOLIDATIONS, "
                    + "default ${DEFAULT-VALUE}).")
    private int consolidations;

    @Override
    public Integer call() throws InterruptedException {
        KafkaConnection kafka = cluster.kafka();
        TrainerConfig config = TrainerConfig.defaults(kafka.bootstrapServers(), registryUrl, token).withKafka(kafka)
                .withTopics(cluster.topics(), "continua-trainer")
                .withTrigger(minNewExamples, maxInterval, steps)
                .withHttpPort(httpPort, Duration.ofSeconds(45))
                .withConsolidation(idleAfter, consolidations);
        Vertx vertx = Vertx.vertx();
        TrainerService trainer = TrainerService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx);
        CountDownLatch stopped = OnShutdown.close("trainer", trainer, vertx::close);
        System.out.println("Trainer running; status on http://127.0.0.1:" + trainer.httpPort() + "/v1/domains");
        stopped.await();
        return 0;
    }
}
