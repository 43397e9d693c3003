package io.continua.cli;

import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates Continua's topics on any cluster, leaving those that exist alone. */
final class TopicSetup {
    private TopicSetup() {
    }

    static void ensure(KafkaConnection kafka, Topics topics, int partitions, short replication) {
        try (Admin admin = Admin.create(kafka.client(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000")))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics.newTopics(partitions, replication).stream()
                    .filter(topic -> !existing.contains(topic.name()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topics on " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
