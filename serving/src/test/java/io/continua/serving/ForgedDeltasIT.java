package io.continua.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.kafka.DeltaLog;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.serde.RecordSerdes;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records written to the deltas topic by anyone but the registry change nothing, even where the
 * broker lets them in: the registry signs what it writes; serving and the registry's own view ignore
 * unsigned and wrongly signed records, count them, and go on applying the genuine ones.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ForgedDeltasIT {
    private final HttpClient http = HttpClient.newHttpClient();
    private ServingStack stack;

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void forgedAliasMovesChangeNeitherServingNorTheRegistry(EmbeddedKafka kafka) throws Exception {
        KeyPair keys = DeltaLogSignatures.generate();
        stack = new ServingStack(kafka, DeltaLogSignatures.signing(keys));
        stack.upload("banking", 1);
        stack.upload("banking", 2);
        ServingService serving = ServingService.start(stack.config()
                .withDeltaSignatures(DeltaLogSignatures.verifying(keys.getPublic())), stack.encoder, stack.vertx);
        stack.serving = serving;
        stack.awaitActive(serving, "banking", 2);

        String topic = stack.topics.deltas();
        DeltaLogSignatures otherKey = DeltaLogSignatures.signing(DeltaLogSignatures.generate());
        try (KafkaProducer<String, byte[]> forger = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            forger.send(forged(topic, "production", 1, null)).get();
            forger.send(forged(topic, "evil", 1, null)).get();
            forger.send(forged(topic, "canary", 77, otherKey)).get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> untrusted(serving.url()) >= 3
                && untrusted(stack.registry.url()) >= 3);

        JsonObject status = get(serving.url() + "/v1/domains/banking");
        assertThat(status.getInteger("activeVersion")).isEqualTo(2);
        assertThat(status.getJsonObject("aliases").getMap()).containsOnlyKeys("production")
                .containsEntry("production", 2);
        assertThat(stack.client.aliases("banking").toString()).doesNotContain("evil").doesNotContain("canary");
        assertThat(stack.client.domain("banking").orElseThrow().path("aliases").path("production").asInt())
                .isEqualTo(2);

        // The followers are alive: a genuine move through the registry still reaches serving.
        stack.client.moveAlias("banking", "production", 1, "roll back after the forgery test");
        stack.awaitActive(serving, "banking", 1);
        assertThat(untrusted(serving.url())).isEqualTo(3);
    }

    /** An alias pointer as the registry would write it, unsigned or signed with {@code signer}. */
    private static ProducerRecord<String, byte[]> forged(String topic, String alias, int version,
                                                         DeltaLogSignatures signer) {
        String key = DeltaLog.aliasKey("banking", alias);
        byte[] value = RecordSerdes.aliasPointer().serialize(topic, AliasPointer.newBuilder().setDomain("banking")
                .setAlias(alias).setVersion(version).setReason("forged").setActor("attacker")
                .setMovedAt(Instant.now()).build());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        if (signer != null) {
            signer.sign(topic, key, value, record.headers());
        }
        return record;
    }

    private double untrusted(String baseUrl) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("continua_deltas_untrusted_records"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private JsonObject get(String url) throws Exception {
        return new JsonObject(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }
}
