package io.continua.cli;

import io.continua.ingest.IngestSettings;
import io.continua.registry.RegistrySettings;
import io.continua.service.settings.Importance;
import io.continua.service.settings.Setting;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingType;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import io.continua.serving.ServingSettings;
import io.continua.trainer.TrainerSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/** {@code continua up}: the whole system in one JVM until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run every service in one JVM until Ctrl-C.",
            "The embedded Kafka broker (unless --bootstrap names a cluster), the registry, ingest, serving and "
            + "the trainer, with the topics created."})
final class UpCommand extends SettingsCommand {
    static final Setting<String> BOOTSTRAP = Setting.of("bootstrap", SettingType.STRING,
            "an existing Kafka cluster; unset: the embedded broker runs").importance(Importance.HIGH);
    static final Setting<Integer> PARTITIONS = TopicsCommand.PARTITIONS;
    static final Setting<Boolean> SECURE = Setting.of("secure", SettingType.BOOLEAN,
            "secure the embedded broker when its data directory is first made (kept after): every client "
                    + "authenticates (SASL SCRAM-SHA-512), each service as its own principal held to ACLs (only the "
                    + "registry may write the deltas topic), and the registry signs every deltas record, which "
                    + "serving checks; client settings per principal go to `<data-dir>/secrets`").defaultTo(false)
            .importance(Importance.HIGH);
    /** The embedded broker's port: the same setting as {@code continua kafka}'s. */
    static final Setting<Integer> KAFKA_PORT = KafkaCommand.PORT;
    static final Setting<String> HOST = SharedSettings.HOST.defaultTo("127.0.0.1");
    /** What the stack decides for its services: who they are, what they trust, where their files go. */
    private static final Set<Setting<?>> DECIDED_BY_THE_STACK = Set.of(RegistrySettings.TOKENS,
            RegistrySettings.READ_ONLY, RegistrySettings.SIGNING_KEY, RegistrySettings.DIR,
            RegistrySettings.TRANSACTIONAL_ID, IngestSettings.APPLICATION_ID, IngestSettings.STATE_DIR,
            TrainerSettings.REGISTRY_TOKEN, TrainerSettings.GROUP_ID, ServingSettings.GROUP_ID,
            ServingSettings.EXPORT_DIR, RegistrySettings.PORT, IngestSettings.PORT, TrainerSettings.PORT,
            ServingSettings.PORT);
    /** The services' own tuning, passed on to each service of the stack (a name means one thing everywhere). */
    static final List<Setting<?>> TUNING = Stream.of(RegistrySettings.DEFS, IngestSettings.DEFS,
                    TrainerSettings.DEFS, ServingSettings.DEFS)
            .flatMap(defs -> defs.settings().stream())
            .filter(setting -> !SharedSettings.DEFS.defines(setting) && !DECIDED_BY_THE_STACK.contains(setting))
            .toList();
    static final SettingDefs DEFS = SettingDefs.of("up", Stream.concat(Stream.of(BOOTSTRAP,
            SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR, PARTITIONS, SECURE, HOST, KAFKA_PORT,
            RegistrySettings.PORT, ServingSettings.PORT, IngestSettings.PORT, TrainerSettings.PORT),
            TUNING.stream()).toList());

    @Override
    public SettingDefs settingDefs() {
        return DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        Path dataDir = settings.get(SharedSettings.DATA_DIR);
        LocalStack.Ports ports = new LocalStack.Ports(settings.get(HOST), settings.get(KAFKA_PORT),
                settings.get(RegistrySettings.PORT), settings.get(ServingSettings.PORT),
                settings.get(IngestSettings.PORT), settings.get(TrainerSettings.PORT));
        LocalStack stack = LocalStack.start(dataDir, settings.get(BOOTSTRAP), settings.get(SECURE),
                SharedSettings.topics(settings), settings.get(PARTITIONS), ports, settings, config -> config,
                System.out);
        CountDownLatch stopped = OnShutdown.close("up", stack);
        System.out.println("Continua is up. Publish with `./continua publish --domain D --file F.jsonl"
                + (stack.client.secured() ? " --kafka-config " + LocalStack.secrets(dataDir).resolve("client.properties")
                : "") + "`; Ctrl-C stops.");
        stopped.await();
        return 0;
    }
}
