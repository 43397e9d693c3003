package io.continua.cli;

import io.continua.cli.ServicePrincipals.Names;
import io.continua.cli.ServicePrincipals.Principal;
import io.continua.schemas.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code continua principals}: one Kafka principal per service, with its ACLs, on a cluster with a SASL listener. */
@Command(name = "principals", mixinStandardHelpOptions = true,
        description = {"Create one SCRAM-SHA-512 principal per service (registry, ingest, trainer, serving, client)",
            "on a Kafka cluster with a SASL listener and the standard authorizer, and grant each only what its",
            "service does: only the registry may write the deltas topic. Run it as an admin (--kafka-config with",
            "the admin's settings). Writes each principal's client settings to <secrets-dir>/<name>.properties",
            "(pass it to that service as --kafka-config) and the registry's deltas signing key pair",
            "(deltas-signing.pem for the registry, deltas-verify.pem for its readers). Running it again keeps",
            "the passwords and keys."})
final class PrincipalsCommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--secrets-dir", defaultValue = "${env:CONTINUA_SECRETS_DIR}", paramLabel = "DIR",
            description = "Where the client settings and keys go (env CONTINUA_SECRETS_DIR, default <data-dir>/secrets).")
    private Path secretsDir;

    @Option(names = "--registry-transactional-id", defaultValue = "continua-registry-writer",
            description = "The registry writer's transactional id (default ${DEFAULT-VALUE}).")
    private String registryTransactionalId;

    @Option(names = "--ingest-application-id", defaultValue = "continua-ingest",
            description = "Ingest's Kafka Streams application id (default ${DEFAULT-VALUE}).")
    private String ingestApplicationId;

    @Option(names = "--trainer-group", defaultValue = "continua-trainer",
            description = "The trainers' consumer group (default ${DEFAULT-VALUE}).")
    private String trainerGroup;

    @Option(names = "--serving-group", defaultValue = "continua-serving",
            description = "The serving replicas' consumer group (default ${DEFAULT-VALUE}).")
    private String servingGroup;

    @Option(names = "--client-group-prefix", defaultValue = "continua-client",
            description = "Consumer groups the client principal may use start with this (default ${DEFAULT-VALUE}).")
    private String clientGroupPrefix;

    @Override
    public Integer call() {
        Path secrets = secretsDir != null ? secretsDir : LocalStack.secrets(cluster.dataDir);
        Map<Principal, KafkaConnection> principals = ServicePrincipals.provision(cluster.kafka(), cluster.topics(),
                new Names(registryTransactionalId, ingestApplicationId, trainerGroup, servingGroup, clientGroupPrefix),
                secrets);
        ServicePrincipals.deltaKeys(secrets);
        principals.keySet().forEach(principal -> System.out.printf("User:%-10s %s%n", principal.user(),
                secrets.resolve(principal.user() + ".properties")));
        System.out.println("Deltas signing key: " + secrets.resolve(ServicePrincipals.SIGNING_KEY_FILE)
                + " (registry: --deltas-signing-key); public key: " + secrets.resolve(ServicePrincipals.VERIFY_KEY_FILE)
                + " (serving, read-only registries: --deltas-verify-key)");
        return 0;
    }
}
