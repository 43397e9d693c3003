package io.continua.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.data.JsonlDataset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The short kill -9 suite: every component its own JVM on a 3-node Kafka cluster; four cycles kill
 * one of each kind (a trainer, the registry writer, a serving replica, a broker) with SIGKILL and
 * start it again, while examples stream in and clients ask both serving replicas. What the failure
 * model promises must hold.
 */
class ChaosBenchIT {
    @Test
    void nothingIsLostOrDoneTwiceWhenEachKindOfComponentIsKilled() throws Exception {
        Path data = Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77", "train.jsonl");
        Path work = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "chaos-" + UUID.randomUUID());
        ChaosBench.Settings settings = new ChaosBench.Settings(4, 200, 10, Duration.ofSeconds(3), Duration.ofSeconds(6),
                Duration.ofMinutes(5), 11);
        BenchResult result = new ChaosBench(settings, ChaosBench.fewIntents(JsonlDataset.read(data)), work, System.out)
                .run();
        System.out.println(result.figures());
        assertThat(result.figures()).containsEntry("examples_lost", 0L).containsEntry("examples_trained_twice", 0L)
                .containsEntry("versions_reused", 0L).containsEntry("unreadable_artifacts", 0L)
                .containsEntry("failed_predictions_on_survivors", 0L);
        assertThat((long) result.figures().get("examples_accepted")).isPositive();
        assertThat((long) result.figures().get("train_examples")).isPositive();
        assertThat((int) result.figures().get("versions")).isGreaterThan(1);
        for (String kind : new String[] {"trainer", "registry", "serving", "kafka"}) {
            assertThat(result.figures()).as(kind + " killed once").containsEntry("recovery_" + kind + "_kills", 1);
        }
    }
}
