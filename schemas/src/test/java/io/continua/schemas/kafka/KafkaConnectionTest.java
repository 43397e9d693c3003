package io.continua.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {
    @Test
    void credentialsNeverReachItsPrintedForm() {
        KafkaConnection connection = new KafkaConnection("kafka:9092", Map.of("security.protocol", "SASL_SSL",
                "sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"hunter2\";",
                "ssl.key.password", "k3y", "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "sasl.oauthbearer.client.credentials.client.secret", "s3cret"));
        assertThat(connection.toString()).contains("kafka:9092", "SASL_SSL").doesNotContain("hunter2", "k3y",
                "PRIVATE", "s3cret");
        assertThat(connection.secured()).isTrue();
    }

    @Test
    void aSettingsFileNamesTheClusterUnlessTheCommandLineDoes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=kafka:9092\nsecurity.protocol=SASL_PLAINTEXT\n");
        assertThat(KafkaConnection.fromFile(null, file).bootstrapServers()).isEqualTo("kafka:9092");
        KafkaConnection given = KafkaConnection.fromFile("other:9092", file);
        assertThat(given.bootstrapServers()).isEqualTo("other:9092");
        assertThat(given.client(Map.of("acks", "all"))).containsEntry("bootstrap.servers", "other:9092")
                .containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("acks", "all");

        Files.writeString(file, "security.protocol=SASL_PLAINTEXT\n");
        assertThatThrownBy(() -> KafkaConnection.fromFile(null, file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap");
    }
}
