package io.continua.cli;

import io.continua.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the embedded single-node broker in the foreground, for local use or other services to join. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Run a real single-node Kafka broker (KRaft) until Ctrl-C.",
            "Its data lives under <data-dir>/kafka; a restart on the same data keeps topics, records and offsets."})
final class KafkaCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:CONTINUA_KAFKA_PORT:-9092}",
            description = "Client port (env CONTINUA_KAFKA_PORT, default ${DEFAULT-VALUE}); 0 picks a free one.")
    private int port;

    @Option(names = "--controller-port", defaultValue = "${env:CONTINUA_KAFKA_CONTROLLER_PORT:-0}",
            description = "KRaft controller port (env CONTINUA_KAFKA_CONTROLLER_PORT); 0, the default, "
                    + "picks a free one and keeps it for this data directory.")
    private int controllerPort;

    @Option(names = "--data-dir", defaultValue = "${env:CONTINUA_DATA_DIR:-continua-data}",
            description = "Where Continua keeps its state (env CONTINUA_DATA_DIR, default ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafka kafka = EmbeddedKafka.builder(dataDir.resolve("kafka"))
                .port(port)
                .controllerPort(controllerPort)
                .build();
        CountDownLatch stopped = OnShutdown.close("kafka", kafka);
        String bootstrap = kafka.start();
        System.out.println("Kafka broker ready. Bootstrap servers: " + bootstrap);
        System.out.println("Data in " + kafka.dataDir() + ". Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
