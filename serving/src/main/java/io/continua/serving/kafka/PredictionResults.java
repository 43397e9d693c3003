package io.continua.serving.kafka;

import io.continua.schemas.LabelScore;
import io.continua.schemas.Prediction;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.confluent.Subjects;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.serde.ConfluentSerializer;
import io.continua.schemas.serde.JsonSerializer;
import io.continua.schemas.serde.RecordFormat;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.serving.inference.Classification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where answers go on Kafka: {@code predict.results}, keyed by domain, in the deployment's output
 * format; ingest joins them with the labels that later carry their request ids (live accuracy). One
 * producer for the Kafka path and the HTTP path. Thread-safe.
 */
public final class PredictionResults implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PredictionResults.class);

    private final String topic;
    private final KafkaProducer<String, Prediction> producer;
    private final Counter failed;
    private final ExecutorService background = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(10_000), runnable -> new Thread(runnable, "prediction-results"),
            new ThreadPoolExecutor.AbortPolicy());

    /**
     * @param format  the encoding predictions are written in
     * @param schemas gives the Prediction schema its id when the format is Confluent's
     * @throws io.continua.schemas.confluent.SchemaRegistryUnavailableException when that id cannot be had
     */
    public PredictionResults(KafkaConnection kafka, String topic, RecordFormat format, ConfluentSchemas schemas,
                             MeterRegistry metrics) {
        this.topic = topic;
        Serializer<Prediction> values = switch (format) {
            case SINGLE_OBJECT -> RecordSerdes.prediction();
            case JSON -> new JsonSerializer<>();
            case CONFLUENT -> new ConfluentSerializer<>(Prediction.class, schemas.idOf(Subjects.valueOf(topic),
                    Prediction.getClassSchema()));
        };
        // A send must not wait long for metadata or buffer room: the HTTP path sends from an event loop.
        this.producer = new KafkaProducer<>(kafka.client(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "2", ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000")),
                new StringSerializer(), values);
        try {
            // The topic's metadata now: a first send would wait for it, on the HTTP path on an event loop.
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        this.failed = Counter.builder("continua_serving_results_failed")
                .description("Predictions that could not be written to predict.results").register(metrics);
    }

    /**
     * Writes one answer; the broker's acknowledgement comes later ({@link #flush} waits for it). Throws when the
     * producer cannot take the record (no metadata or buffer room within two seconds), so that the Kafka path
     * answers the request again.
     *
     * @param shadow whether a shadow candidate scored it (the requester got production's answer)
     */
    public void send(String requestId, String domain, Classification result, String alias, double latencyMs,
                     boolean shadow) {
        Prediction prediction = Prediction.newBuilder()
                .setRequestId(requestId)
                .setDomain(domain)
                .setLabel(result.label())
                .setScores(result.scores().stream().map(score -> new LabelScore(score.label(), score.score())).toList())
                .setVersion(result.version())
                .setAlias(alias)
                .setLatencyMs(latencyMs)
                .setTruncated(result.truncated())
                .setEventTime(Instant.now())
                .setShadow(shadow)
                .build();
        producer.send(new ProducerRecord<>(topic, domain, prediction), (written, error) -> {
            if (error != null) {
                failed(requestId, error);
            }
        });
    }

    /**
     * As {@link #send}, for answers already given (HTTP, shadow scores), on a thread of its own so that neither an
     * event loop nor inference waits for the producer; a record that cannot be sent, or finds that thread's queue
     * full, is counted and logged, not thrown, as there is no one left to tell.
     */
    public void trySend(String requestId, String domain, Classification result, String alias, double latencyMs,
                        boolean shadow) {
        try {
            background.execute(() -> {
                try {
                    send(requestId, domain, result, alias, latencyMs, shadow);
                } catch (KafkaException e) {
                    failed(requestId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            failed(requestId, e);
        }
    }

    private void failed(String requestId, Exception error) {
        failed.increment();
        log.warn("Cannot write the prediction of request {} to {}: {}", requestId, topic, error.toString());
    }

    /** Waits until every answer sent so far is acknowledged (or failed). */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() throws InterruptedException {
        background.shutdown();
        background.awaitTermination(10, TimeUnit.SECONDS);
        producer.close();
    }
}
