package io.continua.ingest.http;

import io.continua.schemas.LabeledExample;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.serde.RecordSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the examples of one HTTP request to the {@code examples} topic in one Kafka transaction,
 * keyed by domain, and returns once the broker has them: either every example of the request is
 * there for ingest's read-committed topology, or none is. One request at a time (a transactional
 * producer runs one transaction at a time); blocking, so never on an event loop.
 */
public final class ExamplesPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExamplesPublisher.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String topic;
    private final KafkaProducer<String, LabeledExample> producer;

    /**
     * @param transactionalIdPrefix the ingest application id: its principal may use transactional ids under it;
     *                              each instance adds a random suffix, so replicas never fence each other
     */
    public ExamplesPublisher(KafkaConnection kafka, String topic, String transactionalIdPrefix) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(kafka.client(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + "-http-" + UUID.randomUUID(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000)), new StringSerializer(), RecordSerdes.labeledExample());
        producer.initTransactions();
    }

    /** The offsets the examples were written at, in order. */
    synchronized List<Long> publish(String domain, List<LabeledExample> examples) {
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = examples.stream()
                    .map(example -> producer.send(new ProducerRecord<>(topic, domain, example))).toList();
            producer.commitTransaction();
            return sent.stream().map(ExamplesPublisher::offset).toList();
        } catch (ProducerFencedException e) {
            throw ServiceException.unavailable("unavailable", "This ingest instance can no longer publish: "
                    + e.getMessage());
        } catch (KafkaException e) {
            abort();
            log.warn("Could not publish {} examples of {}: {}", examples.size(), domain, e.toString());
            throw ServiceException.unavailable("unavailable", "Kafka did not take the examples (none was published): "
                    + e.getMessage());
        }
    }

    private static long offset(Future<RecordMetadata> sent) {
        try {
            return sent.get().offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted after a committed transaction", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("A record of a committed transaction failed", e.getCause());
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            log.warn("Could not abort the examples transaction: {}", e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
