package io.continua.serving.kafka;

import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DeadLetteringDecoder;
import io.continua.schemas.kafka.DeadLetters;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.RequestHeaders;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.loop.RestartingLoop;
import io.continua.schemas.serde.RecordFormat;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.serving.inference.Classification;
import io.continua.serving.inference.OverloadedException;
import io.continua.serving.inference.Predictions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka path: {@code predict.requests} in, {@code predict.results} out, keyed by domain. A
 * request that cannot be decoded or answered goes to the dead-letter topic with its reason; the
 * consumer never stops for one. Offsets are committed once a polled batch's results and dead
 * letters are written (at least once). When the inference queue is full, the partition whose
 * request was refused is paused and its requests from that one on are held and retried once the
 * queue drains (commits stop before them): durable requests wait, they are not refused because
 * HTTP traffic filled the queue. An unexpected failure marks the consumer down and it resumes from
 * the committed offsets after a backoff.
 */
public final class PredictionRequestConsumer implements AutoCloseable {
    static final String SERVICE = "serving";
    /** How long a turn with held requests waits before retrying them. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

    private final Topics topics;
    private final Predictions predictions;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PredictionResults results;
    private final KafkaProducer<String, RejectedRecord> deadLetters;
    private final DeadLetteringDecoder<PredictionRequest> decoder;
    private final RestartingLoop loop;
    /**
     * Per paused partition, the requests the full queue refused, in order, from the first refused
     * one: retried before anything new. Loop thread only.
     */
    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> held = new LinkedHashMap<>();
    private final Counter pauses;

    /**
     * @param formats the encodings requests are read in
     * @param schemas resolves the schema ids of Confluent-format requests
     * @param results where the answers are written
     */
    public PredictionRequestConsumer(KafkaConnection kafka, String groupId, Topics topics, Set<RecordFormat> formats,
                                     ConfluentSchemas schemas, PredictionResults results, Predictions predictions,
                                     MeterRegistry metrics) {
        this.topics = topics;
        this.predictions = predictions;
        this.results = results;
        this.consumer = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // A new group answers requests published before it started: none is skipped silently.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "256")), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerConfig = kafka.client(Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "2"));
        this.deadLetters = new KafkaProducer<>(producerConfig, new StringSerializer(), RecordSerdes.rejectedRecord());
        this.decoder = new DeadLetteringDecoder<>(RecordSerdes.input(PredictionRequest.class, formats, schemas), deadLetters,
                topics.examplesRejected(), SERVICE);
        this.pauses = Counter.builder("continua_serving_kafka_pauses")
                .description("Times a predict.requests partition was paused because the inference queue was full")
                .register(metrics);
        consumer.subscribe(List.of(topics.predictRequests()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Their held requests are past the committed offset: the next owner answers them.
                partitions.forEach(held::remove);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        this.loop = RestartingLoop.start("predict-requests", this::step, this::rewindToCommitted, consumer::wakeup,
                consumer::close);
    }

    /**
     * One turn: the requests held back by a full queue first, then what the poll brings (nothing
     * from a paused partition), each partition in order; then the offsets up to the first request
     * still held are committed.
     */
    private void step() {
        List<ConsumerRecord<byte[], byte[]>> work = new ArrayList<>();
        held.values().forEach(work::addAll);
        held.clear();
        // While requests are held the poll only keeps the group alive (and paces the retry).
        consumer.poll(work.isEmpty() ? Duration.ofMillis(100) : RETRY_PAUSE).forEach(work::add);
        if (work.isEmpty()) {
            return;
        }
        answer(work);
        results.flush();
        deadLetters.flush();
        consumer.pause(held.keySet());
        consumer.resume(consumer.paused().stream().filter(partition -> !held.containsKey(partition)).toList());
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            List<ConsumerRecord<byte[], byte[]>> waiting = held.get(partition);
            done.put(partition, new OffsetAndMetadata(waiting == null ? consumer.position(partition)
                    : waiting.get(0).offset()));
        }
        consumer.commitSync(done);
    }

    /** After a failure: back to what is committed (the failed turn is answered again: at least once). */
    private void rewindToCommitted() {
        held.clear();
        Set<TopicPartition> assigned = consumer.assignment();
        consumer.resume(assigned);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
    }

    public boolean isRunning() {
        return loop.isUp();
    }

    /**
     * Submits the requests in order; a request the full queue refuses is held with every later one of
     * its partition, once the requests already submitted are answered (the queue has drained of them).
     */
    private void answer(List<ConsumerRecord<byte[], byte[]>> work) {
        List<Runnable> replies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> raw : work) {
            TopicPartition partition = new TopicPartition(raw.topic(), raw.partition());
            List<ConsumerRecord<byte[], byte[]>> waiting = held.get(partition);
            if (waiting != null) {
                waiting.add(raw);
                continue;
            }
            Optional<ConsumerRecord<String, PredictionRequest>> decoded = decoder.decode(raw);
            if (decoded.isEmpty()) {
                continue;
            }
            long arrived = System.nanoTime();
            PredictionRequest request = decoded.get().value();
            try {
                Predictions.Pending pending = predictions.submit(request.getDomain(),
                        new Predictions.Pin(request.getVersion(), request.getAlias()), List.of(request.getText()),
                        RequestHeaders.routingKey(raw.headers()).orElse(request.getRequestId()));
                CompletableFuture<Classification> result = pending.results().get(0);
                replies.add(() -> reply(raw, request, result, pending.alias(), arrived));
                if (request.getVersion() == null && request.getAlias() == null) {
                    predictions.shadow(request.getDomain(), List.of(request.getText())).ifPresent(shadow ->
                            shadow.results().get(0).thenAccept(scored -> results.trySend(request.getRequestId(),
                                    request.getDomain(), scored, shadow.alias(), (System.nanoTime() - arrived) / 1e6,
                                    true)));
                }
            } catch (OverloadedException full) {
                held.computeIfAbsent(partition, p -> new ArrayList<>()).add(raw);
                pauses.increment();
            } catch (ServiceException refused) {
                deadLetter(raw, request, refused.error(), refused.detail());
            }
        }
        replies.forEach(Runnable::run);
    }

    private void reply(ConsumerRecord<byte[], byte[]> raw, PredictionRequest request,
                       CompletableFuture<Classification> pending, String alias, long arrived) {
        try {
            Classification result = pending.join();
            results.send(request.getRequestId(), request.getDomain(), result, alias,
                    (System.nanoTime() - arrived) / 1e6, false);
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            String reason = cause instanceof ServiceException known ? known.error() : "inference_failed";
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
        loop.close();
        deadLetters.close();
    }
}
