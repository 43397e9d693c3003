package io.continua.cli;

import io.continua.cli.ServicePrincipals.Names;
import io.continua.cli.ServicePrincipals.Principal;
import io.continua.ingest.IngestSettings;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code continua principals}: one Kafka principal per service, with its ACLs, on a cluster with a SASL listener. */
@Command(name = "principals", mixinStandardHelpOptions = true,
        description = {"Create one SCRAM-SHA-512 principal per service (registry, ingest, trainer, serving, client) "
            + "on a Kafka cluster with a SASL listener and the standard authorizer, and grant each only what its "
            + "service does: only the registry may write the deltas topic. Run it as an admin (--kafka-config with "
            + "the admin's settings). Writes each principal's client settings to <secrets-dir>/<name>.properties "
            + "(pass it to that service as --kafka-config) and the registry's deltas signing key pair "
            + "(deltas-signing.pem for the registry, deltas-verify.pem for its readers). Running it again keeps "
            + "the passwords and keys."})
final class PrincipalsCommand extends SettingsCommand {
    /** The names each principal's ACLs cover are the services' own settings, with the same flags. */
    static final SettingDefs DEFS = SettingDefs.of("principals", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR,
            RegistrySettings.TRANSACTIONAL_ID, IngestSettings.APPLICATION_ID, TrainerSettings.GROUP_ID,
            ServingSettings.GROUP_ID));

    @Option(names = "--secrets-dir", defaultValue = "${env:CONTINUA_SECRETS_DIR}", paramLabel = "DIR",
            description = {"Where the client settings and keys go (env CONTINUA_SECRETS_DIR, default "
                + "<data-dir>/secrets)."})
    private Path secretsDir;

    @Option(names = "--client-group-prefix", defaultValue = "continua-client",
            description = "Consumer groups the client principal may use start with this (default ${DEFAULT-VALUE}).")
    private String clientGroupPrefix;

    @Override
    public SettingDefs settingDefs() {
        return DEFS;
    }

    @Override
    int run(SettingValues settings) {
        Path secrets = secretsDir != null ? secretsDir : LocalStack.secrets(settings.get(SharedSettings.DATA_DIR));
        Map<Principal, KafkaConnection> principals = ServicePrincipals.provision(SharedSettings.kafka(settings),
                SharedSettings.topics(settings), new Names(settings.get(RegistrySettings.TRANSACTIONAL_ID),
                        settings.get(IngestSettings.APPLICATION_ID), settings.get(TrainerSettings.GROUP_ID),
                        settings.get(ServingSettings.GROUP_ID), clientGroupPrefix), secrets);
        ServicePrincipals.deltaKeys(secrets);
        principals.keySet().forEach(principal -> System.out.printf("User:%-10s %s%n", principal.user(),
                secrets.resolve(principal.user() + ".properties")));
        System.out.println("Deltas signing key: " + secrets.resolve(ServicePrincipals.SIGNING_KEY_FILE)
                + " (registry: " + RegistrySettings.SIGNING_KEY.flag() + "); public key: "
                + secrets.resolve(ServicePrincipals.VERIFY_KEY_FILE)
                + " (serving, read-only registries: " + SharedSettings.DELTAS_VERIFY_KEY.flag() + ")");
        return 0;
    }
}
