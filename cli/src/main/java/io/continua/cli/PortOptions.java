package io.continua.cli;

import picocli.CommandLine.Option;

/** The ports of a local stack's services. */
final class PortOptions {
    @Option(names = "--kafka-port", defaultValue = "${env:CONTINUA_KAFKA_PORT:-9092}",
            description = "Embedded broker port (env CONTINUA_KAFKA_PORT, default ${DEFAULT-VALUE}).")
    int kafka;

    @Option(names = "--registry-port", defaultValue = "${env:CONTINUA_REGISTRY_PORT:-8081}",
            description = "Registry port (env CONTINUA_REGISTRY_PORT, default ${DEFAULT-VALUE}).")
    int registry;

    @Option(names = "--serving-port", defaultValue = "${env:CONTINUA_SERVING_PORT:-8082}",
            description = "Serving port (env CONTINUA_SERVING_PORT, default ${DEFAULT-VALUE}).")
    int serving;

    @Option(names = "--ingest-port", defaultValue = "${env:CONTINUA_INGEST_PORT:-8083}",
            description = "Ingest stats port (env CONTINUA_INGEST_PORT, default ${DEFAULT-VALUE}).")
    int ingest;

    @Option(names = "--trainer-port", defaultValue = "${env:CONTINUA_TRAINER_PORT:-8084}",
            description = "Trainer status port (env CONTINUA_TRAINER_PORT, default ${DEFAULT-VALUE}).")
    int trainer;

    LocalStack.Ports ports() {
        return new LocalStack.Ports(kafka, registry, serving, ingest, trainer);
    }
}
