package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.cli.ServicePrincipals.Names;
import io.continua.cli.ServicePrincipals.Principal;
import io.continua.kafka.EmbeddedKafka;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secure embedded broker with the stack's principals, tried as an attacker would: without
 * credentials, with a wrong password, and as every principal but the registry's, nobody can write
 * the deltas topic; each service can do its own work.
 */
class ServicePrincipalsIT {
    private static final Topics TOPICS = Topics.withDefaultPrefix();
    private static Path dataDir;
    private static EmbeddedKafka kafka;
    private static Map<Principal, KafkaConnection> principals;

    @BeforeAll
    static void start() {
        dataDir = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "secure-" + UUID.randomUUID());
        kafka = EmbeddedKafka.builder(dataDir.resolve("kafka")).secure(true).build();
        kafka.start();
        kafka.createTopics(TOPICS.newTopics(1, (short) 1));
        principals = ServicePrincipals.provision(admin(), TOPICS, new Names("registry-writer", "continua-ingest",
                "continua-trainer", "continua-serving", "continua-client"), dataDir.resolve("secrets"));
    }

    private static KafkaConnection admin() {
        return new KafkaConnection(kafka.bootstrapServers(), kafka.adminClientSettings());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void withoutCredentialsNothingIsWritten() {
        assertThatThrownBy(() -> send(KafkaConnection.plaintext(kafka.bootstrapServers()), TOPICS.deltas()))
                .hasCauseInstanceOf(TimeoutException.class);
        KafkaConnection wrongPassword = new KafkaConnection(kafka.bootstrapServers(),
                EmbeddedKafka.clientSettings("registry", "not-the-password"));
        assertThatThrownBy(() -> send(wrongPassword, TOPICS.deltas()))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void onlyTheRegistryWritesTheDeltasTopic() throws Exception {
        for (Principal principal : new Principal[] {Principal.CLIENT, Principal.SERVING, Principal.TRAINER,
                Principal.INGEST, Principal.REGISTRY_READER}) {
            // Refused for the topic, or (a principal that may write no topic at all) before, for the cluster,
            // in which case the producer may report it as the reason it is in an error state.
            assertThatThrownBy(() -> send(principals.get(principal), TOPICS.deltas())).as(principal.user())
                    .hasRootCauseInstanceOf(AuthorizationException.class);
        }
        assertThat(send(principals.get(Principal.REGISTRY), TOPICS.deltas())).isGreaterThanOrEqualTo(0);
    }

    @Test
    void eachPrincipalWritesWhatItsServiceWrites() throws Exception {
        assertThat(send(principals.get(Principal.CLIENT), TOPICS.examples())).isGreaterThanOrEqualTo(0);
        assertThat(send(principals.get(Principal.CLIENT), TOPICS.predictRequests())).isGreaterThanOrEqualTo(0);
        assertThat(send(principals.get(Principal.SERVING), TOPICS.predictResults())).isGreaterThanOrEqualTo(0);
        assertThat(send(principals.get(Principal.INGEST), TOPICS.examplesAccepted())).isGreaterThanOrEqualTo(0);
        assertThat(send(principals.get(Principal.INGEST), TOPICS.examples())).as("ingest's HTTP way in")
                .isGreaterThanOrEqualTo(0);
        assertThatThrownBy(() -> send(principals.get(Principal.CLIENT), TOPICS.examplesAccepted()))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void eachPrincipalsSettingsAreAFileOnlyItsOwnerReads() throws Exception {
        for (Principal principal : Principal.values()) {
            Path file = dataDir.resolve("secrets").resolve(principal.user() + ".properties");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            KafkaConnection fromFile = KafkaConnection.fromFile(null, file);
            assertThat(fromFile).isEqualTo(principals.get(principal));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dataDir.resolve("kafka").resolve("security.properties")))).isEqualTo("rw-------");
    }

    @Test
    void aSecondRunKeepsEveryPrincipalsPassword() {
        assertThat(ServicePrincipals.provision(admin(), TOPICS, new Names("registry-writer", "continua-ingest",
                "continua-trainer", "continua-serving", "continua-client"), dataDir.resolve("secrets")))
                .isEqualTo(principals);
    }

    @Test
    void principalsNeedASaslListener() {
        assertThatThrownBy(() -> ServicePrincipals.provision(KafkaConnection.plaintext(kafka.bootstrapServers()), TOPICS,
                new Names("a", "b", "c", "d", "e"), dataDir.resolve("other")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SASL");
    }

    @Test
    void thePrincipalsCommandProvisionsAnyClusterFromAnAdminsSettingsFile() throws Exception {
        Path adminFile = dataDir.resolve("admin.properties");
        ServicePrincipals.writeClientFile(adminFile, admin());
        // The same secrets as the other tests: a run elsewhere would re-key the principals they use.
        Path secrets = dataDir.resolve("secrets");
        int exit = Continua.commandLine().execute("principals", "--kafka-config", adminFile.toString(),
                "--secrets-dir", secrets.toString());
        assertThat(exit).isZero();
        assertThat(secrets.resolve("deltas-signing.pem")).exists();
        assertThat(secrets.resolve("deltas-verify.pem")).exists();
        KafkaConnection registry = KafkaConnection.fromFile(null, secrets.resolve("registry.properties"));
        assertThat(send(registry, TOPICS.deltas())).isGreaterThanOrEqualTo(0);
        KafkaConnection client = KafkaConnection.fromFile(null, secrets.resolve("client.properties"));
        assertThatThrownBy(() -> send(client, TOPICS.deltas())).hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    /** Sends one record and returns its offset; fails with the broker's refusal as the cause. */
    private static long send(KafkaConnection connection, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(connection.client(Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000")), new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, "banking@production", "forged")).get(20, TimeUnit.SECONDS)
                    .offset();
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ExecutionException(e);
        }
    }
}
