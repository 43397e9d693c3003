package io.continua.registry.log;

import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.serde.RecordSerdes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Appends to the {@code deltas} topic, and to {@code delta-blobs} the artifact chunks a change
 * needs, with one transactional, idempotent producer (acks=all): the records of one change (an
 * artifact's chunks, its version and the alias move it triggers) appear together or not at all, so
 * a version is never visible without its bytes. The fixed transactional id makes Kafka fence any
 * older writer: one instance writes at a time. Every record is signed when a key is configured.
 * Not thread-safe: the registry calls it from its single writer thread.
 */
public final class DeltaLogWriter implements AutoCloseable {
    /** A key and the record to store under it. */
    public record Entry(String key, SpecificRecord value) {
    }

    /** A record of the artifact topic: a chunk, or (null bytes) the tombstone that deletes one. */
    public record BlobRecord(String key, byte[] bytes) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String blobTopic;
    private final DeltaLogSignatures signatures;

    /** @param signatures signs every record written (unless {@link DeltaLogSignatures#NONE}) */
    public DeltaLogWriter(KafkaConnection kafka, String topic, String blobTopic, String transactionalId,
                          DeltaLogSignatures signatures) {
        this.topic = topic;
        this.blobTopic = blobTopic;
        this.signatures = signatures;
        this.producer = new KafkaProducer<>(kafka.client(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000")), new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close();
            throw e;
        }
    }

    /**
     * Appends the artifact records, then the entries, atomically; returns once the broker
     * acknowledged the commit, with the offset of the last record written to each partition.
     */
    @SuppressWarnings("unchecked")
    public Map<TopicPartition, Long> append(List<BlobRecord> blobs, List<Entry> entries) {
        try {
            Map<TopicPartition, Long> last = new HashMap<>();
            producer.beginTransaction();
            for (BlobRecord blob : blobs) {
                send(blobTopic, blob.key(), blob.bytes(), last);
            }
            for (Entry entry : entries) {
                Class<SpecificRecord> type = (Class<SpecificRecord>) entry.value().getClass();
                send(topic, entry.key(), RecordSerdes.of(type).serialize(topic, entry.value()), last);
            }
            producer.commitTransaction();
            return last;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IllegalStateException("Interrupted while appending to " + topic, e);
        } catch (ExecutionException | KafkaException e) {
            if (fenced(e)) {
                throw new WriterFencedException("Another registry instance has taken over writing " + topic, e);
            }
            abort();
            throw new IllegalStateException("Cannot append to " + topic + ": " + e.getMessage(), e);
        }
    }

    private void send(String target, String key, byte[] value, Map<TopicPartition, Long> last)
            throws ExecutionException, InterruptedException {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(target, key, value);
        signatures.sign(target, key, value, record.headers());
        RecordMetadata written = producer.send(record).get();
        last.merge(new TopicPartition(written.topic(), written.partition()), written.offset(), Math::max);
    }

    /** A newer producer with our transactional id exists: Kafka says so in one of two ways. */
    private static boolean fenced(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException ignored) {
            // The transaction is lost either way; the caller reports the original failure.
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
