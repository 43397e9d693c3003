package io.continua.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.serde.RecordSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The follower of the deltas log never dies silently: it says it is down, retries, and skips nothing. */
@ExtendWith(EmbeddedKafkaExtension.class)
class DeltaLogFollowerIT {
    private static final String TOPIC = "follower-test.deltas";

    @Test
    void aFailingRecordMarksTheFollowerDownUntilItAppliesAndNothingIsSkippedOrAppliedTwice(EmbeddedKafka kafka)
            throws Exception {
        kafka.createTopic(TOPIC, 1);
        List<String> keys = List.of("d@a1", "d@a2", "d@a3", "d@a4", "d@a5");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            for (String key : keys) {
                producer.send(new ProducerRecord<>(TOPIC, key, RecordSerdes.aliasPointer().serialize(TOPIC,
                        AliasPointer.newBuilder().setDomain("d").setAlias(key.substring(2)).setVersion(1)
                                .setReason("test").setActor("test").setMovedAt(Instant.now()).build()))).get();
            }
        }
        AtomicBoolean broken = new AtomicBoolean(true);
        List<String> applied = Collections.synchronizedList(new ArrayList<>());
        try (DeltaLogFollower follower = new DeltaLogFollower(KafkaConnection.plaintext(kafka.bootstrapServers()),
                TOPIC, DeltaLogSignatures.NONE, SignedTopicFollower.Refusals.NONE, (key, record) -> {
                    if (key.equals("d@a3") && broken.get()) {
                        throw new IllegalStateException("a bug in the applier");
                    }
                    applied.add(key);
                })) {
            await(() -> follower.failures() >= 2);
            assertThat(follower.isFollowing()).as("down while the applier fails").isFalse();
            assertThat(follower.isCaughtUp()).isFalse();
            assertThat(applied).containsExactly("d@a1", "d@a2");

            broken.set(false);
            await(() -> follower.isFollowing() && follower.isCaughtUp());
            assertThat(applied).containsExactlyElementsOf(keys);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
