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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
        this.producer = new KafkaProducer<>(kafka.client(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "2")), new StringSerializer(), values);
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
     * Writes one answer; the broker's acknowledgement comes later ({@link #flush} waits for it).
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
                failed.increment();
                log.warn("Cannot write the prediction of request {} to {}: {}", requestId, topic, error.toString());
            }
        });
    }

    /** Waits until every answer sent so far is acknowledged (or failed). */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
