package io.continua.cli;

import io.continua.kafka.EmbeddedKafka;
import io.continua.registry.auth.AdminTokenFile;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.SecretFiles;
import io.continua.schemas.kafka.Topics;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One Kafka principal per service, each allowed only what that service does: only the registry may
 * write {@code deltas}; producers of examples and prediction requests use the {@code client}
 * principal and can write nothing else. Made with an admin's connection on any cluster with a SASL
 * listener (the secure embedded broker, or one of the user's). Each principal's client settings are
 * written to {@code <secrets>/<principal>.properties} (readable by its owner only), the file a
 * service takes as {@code --kafka-config}; a later run reuses the passwords in them.
 */
final class ServicePrincipals {
    /** The principals, named as Kafka sees them ({@code User:<name>}). */
    enum Principal {
        REGISTRY, REGISTRY_READER, INGEST, TRAINER, SERVING, CLIENT;

        String user() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The names the services use on the cluster besides the topics (group and transactional ids). */
    record Names(String registryTransactionalId, String ingestApplicationId, String trainerGroup, String servingGroup,
                 String clientGroupPrefix) {
    }

    static final String SIGNING_KEY_FILE = "deltas-signing.pem";
    static final String VERIFY_KEY_FILE = "deltas-verify.pem";
    private static final Pattern SHARED_SETTING = Pattern.compile(
            "ssl\\.truststore\\..*|ssl\\.endpoint\\.identification\\.algorithm|ssl\\.protocol|ssl\\.enabled\\.protocols"
                    + "|client\\.dns\\.lookup");
    private static final Pattern PASSWORD = Pattern.compile("password=\"([^\"]+)\"");

    private ServicePrincipals() {
    }

    /**
     * Creates (or re-keys with the same passwords) every principal's SCRAM credential, grants its
     * ACLs and returns how each connects: as the admin does (protocol, TLS settings), but as itself.
     */
    static Map<Principal, KafkaConnection> provision(KafkaConnection admin, Topics topics, Names names, Path secrets) {
        if (!admin.clientProperties().getOrDefault("security.protocol", "PLAINTEXT").startsWith("SASL_")) {
            throw new IllegalArgumentException("Principals authenticate with SASL SCRAM: the admin's Kafka settings "
                    + "must name a SASL_PLAINTEXT or SASL_SSL security.protocol");
        }
        Map<Principal, KafkaConnection> connections = new EnumMap<>(Principal.class);
        List<UserScramCredentialAlteration> credentials = new ArrayList<>();
        for (Principal principal : Principal.values()) {
            Path file = secrets.resolve(principal.user() + ".properties");
            String password = Files.exists(file) ? passwordIn(file) : AdminTokenFile.randomSecret();
            credentials.add(new UserScramCredentialUpsertion(principal.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
            Map<String, String> settings = new HashMap<>();
            // How to reach the cluster, never the admin's own credentials (its keystore, its login).
            admin.clientProperties().forEach((name, value) -> {
                if (SHARED_SETTING.matcher(name).matches()) {
                    settings.put(name, value);
                }
            });
            settings.putAll(EmbeddedKafka.clientSettings(principal.user(), password));
            settings.put("security.protocol", admin.clientProperties().get("security.protocol"));
            connections.put(principal, new KafkaConnection(admin.bootstrapServers(), settings));
        }
        try (Admin client = Admin.create(admin.client(Map.of()))) {
            client.alterUserScramCredentials(credentials).all().get();
            client.createAcls(acls(topics, names)).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create Kafka principals and ACLs on " + admin.bootstrapServers()
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating Kafka principals", e);
        }
        connections.forEach((principal, connection) -> writeClientFile(
                secrets.resolve(principal.user() + ".properties"), connection));
        return connections;
    }

    /** The registry's key pair for signing the deltas log, made on first use and kept beside the other secrets. */
    static KeyPair deltaKeys(Path secrets) {
        Path signing = secrets.resolve(SIGNING_KEY_FILE);
        if (!Files.exists(signing)) {
            DeltaLogSignatures.writeKeyFiles(DeltaLogSignatures.generate(), signing, secrets.resolve(VERIFY_KEY_FILE));
        }
        return DeltaLogSignatures.readKeyPair(signing);
    }

    /** What each principal may do; anything else is denied by the broker's authorizer. */
    static List<AclBinding> acls(Topics topics, Names names) {
        List<AclBinding> acls = new ArrayList<>();
        Grants registry = new Grants(Principal.REGISTRY, acls);
        registry.topic(topics.deltas(), AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        registry.topic(topics.deltaBlobs(), AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        registry.transactionalId(names.registryTransactionalId(), PatternType.LITERAL);
        // Lineage checks read the accepted topic's partitions and end offsets, never its records.
        registry.topic(topics.examplesAccepted(), AclOperation.DESCRIBE);
        // The records of its log it never applies are dead-lettered.
        registry.topic(topics.examplesRejected(), AclOperation.WRITE, AclOperation.DESCRIBE);
        // Live accuracy, as ingest measures it.
        registry.topic(topics.metrics(), AclOperation.READ, AclOperation.DESCRIBE);

        // Read-only registry replicas: the log and the lineage checks, no write, no transactional id.
        Grants reader = new Grants(Principal.REGISTRY_READER, acls);
        reader.topic(topics.deltas(), AclOperation.READ);
        reader.topic(topics.deltaBlobs(), AclOperation.READ);
        reader.topic(topics.examplesAccepted(), AclOperation.DESCRIBE);
        reader.topic(topics.metrics(), AclOperation.READ, AclOperation.DESCRIBE);

        Grants ingest = new Grants(Principal.INGEST, acls);
        // Read by the topology; written by ingest's HTTP way in (POST /v1/domains/{d}/examples).
        ingest.topic(topics.examples(), AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        ingest.topic(topics.predictResults(), AclOperation.READ);
        ingest.topic(topics.examplesAccepted(), AclOperation.WRITE, AclOperation.DESCRIBE);
        ingest.topic(topics.examplesRejected(), AclOperation.WRITE, AclOperation.DESCRIBE);
        ingest.topic(topics.metrics(), AclOperation.WRITE, AclOperation.DESCRIBE);
        // Kafka Streams' own changelog and repartition topics, group and transactions carry the application id.
        ingest.add(ResourceType.TOPIC, names.ingestApplicationId(), PatternType.PREFIXED, AclOperation.ALL);
        ingest.add(ResourceType.GROUP, names.ingestApplicationId(), PatternType.PREFIXED, AclOperation.READ);
        ingest.transactionalId(names.ingestApplicationId(), PatternType.PREFIXED);

        Grants trainer = new Grants(Principal.TRAINER, acls);
        trainer.topic(topics.examplesAccepted(), AclOperation.READ);
        trainer.topic(topics.examplesRejected(), AclOperation.WRITE, AclOperation.DESCRIBE);
        trainer.add(ResourceType.GROUP, names.trainerGroup(), PatternType.LITERAL, AclOperation.READ);

        Grants serving = new Grants(Principal.SERVING, acls);
        serving.topic(topics.deltas(), AclOperation.READ);
        serving.topic(topics.predictRequests(), AclOperation.READ);
        serving.topic(topics.predictResults(), AclOperation.WRITE, AclOperation.DESCRIBE);
        serving.topic(topics.examplesRejected(), AclOperation.WRITE, AclOperation.DESCRIBE);
        serving.add(ResourceType.GROUP, names.servingGroup(), PatternType.LITERAL, AclOperation.READ);

        Grants client = new Grants(Principal.CLIENT, acls);
        client.topic(topics.examples(), AclOperation.WRITE, AclOperation.DESCRIBE);
        client.topic(topics.predictRequests(), AclOperation.WRITE, AclOperation.DESCRIBE);
        client.topic(topics.predictResults(), AclOperation.READ);
        client.topic(topics.examplesRejected(), AclOperation.READ);
        client.topic(topics.metrics(), AclOperation.READ);
        client.add(ResourceType.GROUP, names.clientGroupPrefix(), PatternType.PREFIXED, AclOperation.READ);
        return acls;
    }

    /** Collects the ALLOW entries of one principal. */
    private record Grants(Principal principal, List<AclBinding> acls) {
        void topic(String topic, AclOperation... operations) {
            add(ResourceType.TOPIC, topic, PatternType.LITERAL, operations);
        }

        void transactionalId(String id, PatternType pattern) {
            add(ResourceType.TRANSACTIONAL_ID, id, pattern, AclOperation.WRITE, AclOperation.DESCRIBE);
        }

        void add(ResourceType type, String name, PatternType pattern, AclOperation... operations) {
            for (AclOperation operation : operations) {
                acls.add(new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(
                        "User:" + principal.user(), "*", operation, AclPermissionType.ALLOW)));
            }
        }
    }

    private static String passwordIn(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        Matcher matcher = PASSWORD.matcher(properties.getProperty("sasl.jaas.config", ""));
        if (!matcher.find()) {
            throw new IllegalStateException(file + " has no password in sasl.jaas.config; delete it to have one made");
        }
        return matcher.group(1);
    }

    /** Writes a connection as a client properties file only its owner can read. */
    static void writeClientFile(Path file, KafkaConnection connection) {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", connection.bootstrapServers());
        connection.clientProperties().forEach(properties::setProperty);
        SecretFiles.write(file, properties, "Kafka client settings of one Continua principal: pass it as --kafka-config");
    }
}
