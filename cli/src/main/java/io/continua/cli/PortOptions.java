package io.continua.cli;

import picocli.CommandLine.Option;

/** Where a local stack's services listen: the address of the HTTP services and every port. */
final class PortOptions {
    @Option(names = "--host", defaultValue = "${env:CONTINUA_HOST:-127.0.0.1}",
            description = {"Address the HTTP services listen on (env CONTINUA_HOST, default ${DEFAULT-VALUE}: this",
                "machine only; 0.0.0.0 for every interface, then put the registry's writes behind TLS)."})
    String host;

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
        return new LocalStack.Ports(host, kafka, registry, serving, ingest, trainer);
    }
}
