package io.continua.serving.kafka;

import io.continua.schemas.LabelScore;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DeadLetteringDecoder;
import io.continua.schemas.kafka.DeadLetters;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.HttpFailure;
import io.continua.serving.inference.Classification;
import io.continua.serving.inference.Predictions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka path: {@code predict.requests} in, {@code predict.results} out, keyed by domain. A
 * request that cannot be decoded or answered goes to the dead-letter topic with its reason; the
 * consumer never stops for one. Offsets are committed once a polled batch's results and dead
 * letters are written (at least once).
 */
public final class PredictionRequestConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PredictionRequestConsumer.class);
    static final String SERVICE = "serving";

    private final Topics topics;
    private final Predictions predictions;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, Prediction> results;
    private final KafkaProducer<String, RejectedRecord> deadLetters;
    private final DeadLetteringDecoder<PredictionRequest> decoder;
    private final Thread thread;
    private volatile boolean running = true;

    public PredictionRequestConsumer(KafkaConnection kafka, String groupId, Topics topics, Predictions predictions) {
        this.topics = topics;
        this.predictions = predictions;
        this.consumer = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // A new group answers requests published before it started: none is skipped silently.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "256")), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerConfig = kafka.client(Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "2"));
        this.results = new KafkaProducer<>(producerConfig, new StringSerializer(), RecordSerdes.prediction());
        this.deadLetters = new KafkaProducer<>(producerConfig, new StringSerializer(), RecordSerdes.rejectedRecord());
        this.decoder = new DeadLetteringDecoder<>(RecordSerdes.predictionRequest(), deadLetters,
                topics.examplesRejected(), SERVICE);
        consumer.subscribe(List.of(topics.predictRequests()));
        this.thread = new Thread(this::run, "predict-requests");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                if (batch.isEmpty()) {
                    continue;
                }
                answer(batch);
                results.flush();
                deadLetters.flush();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("The predict.requests consumer was woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("The predict.requests consumer stopped", e);
        } finally {
            consumer.close();
        }
    }

    private void answer(ConsumerRecords<byte[], byte[]> batch) {
        List<Runnable> replies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> raw : batch) {
            Optional<ConsumerRecord<String, PredictionRequest>> decoded = decoder.decode(raw);
            if (decoded.isEmpty()) {
                continue;
            }
            long arrived = System.nanoTime();
            PredictionRequest request = decoded.get().value();
            try {
                Predictions.Pending pending = predictions.submit(request.getDomain(),
                        new Predictions.Pin(request.getVersion(), request.getAlias()), List.of(request.getText()));
                CompletableFuture<Classification> result = pending.results().get(0);
                replies.add(() -> reply(raw, request, result, pending.alias(), arrived));
            } catch (HttpFailure refused) {
                deadLetter(raw, request, refused.error(), refused.getMessage());
            }
        }
        replies.forEach(Runnable::run);
    }

    private void reply(ConsumerRecord<byte[], byte[]> raw, PredictionRequest request,
                       CompletableFuture<Classification> pending, String alias, long arrived) {
        try {
            Classification result = pending.join();
            Prediction prediction = Prediction.newBuilder()
                    .setRequestId(request.getRequestId())
                    .setDomain(request.getDomain())
                    .setLabel(result.label())
                    .setScores(result.scores().stream().map(score -> new LabelScore(score.label(), score.score()))
                            .toList())
                    .setVersion(result.version())
                    .setAlias(alias)
                    .setLatencyMs((System.nanoTime() - arrived) / 1e6)
                    .setTruncated(result.truncated())
                    .setEventTime(Instant.now())
                    .build();
            results.send(new ProducerRecord<>(topics.predictResults(), request.getDomain(), prediction));
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            String reason = cause instanceof HttpFailure known ? known.error() : "inference_failed";
            deadLetter(raw, request, reason, String.valueOf(cause.getMessage()));
        }
    }

    /** Dead-letters the request with the bytes it arrived as. */
    private void deadLetter(ConsumerRecord<byte[], byte[]> raw, PredictionRequest request, String reason,
                            String detail) {
        String domain = DomainNames.isValid(request.getDomain()) ? request.getDomain() : null;
        deadLetters.send(new ProducerRecord<>(topics.examplesRejected(), domain,
                DeadLetters.rejected(raw, domain, reason, detail, SERVICE)));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        results.close();
        deadLetters.close();
    }
}
