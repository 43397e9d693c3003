package io.continua.cli;

import io.continua.schemas.kafka.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** Creates Continua's topics on any cluster, leaving those that exist alone. */
final class TopicSetup {
    private TopicSetup() {
    }

    static void ensure(String bootstrap, Topics topics, int partitions, short replication) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics.all(partitions).stream()
                    .filter(spec -> !existing.contains(spec.name()))
                    .map(spec -> {
                        NewTopic topic = new NewTopic(spec.name(), spec.partitions(), replication);
                        return spec.compacted() ? topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_COMPACT)) : topic;
                    })
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topics on " + bootstrap + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
