package io.continua.serving.inference;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching: texts for the same domain (and pinned version) queue up and run together.
 * When the inference thread is idle a text runs at once (after at most {@code maxWait}, 0 by
 * default); while a batch runs, new texts gather, and the next batch takes up to {@code maxBatch}
 * of them. Latency stays low when load is light and throughput grows with load. Inference runs on
 * its own thread, never on the HTTP event loop. A queue holds at most {@code capacity} texts;
 * beyond that, submissions are refused at once ({@link OverloadedException}).
 */
public final class Batcher implements AutoCloseable {
    private final Classifier classifier;
    private final int maxBatch;
    private final Duration maxWait;
    private final int capacity;
    private final Map<Key, Queue> queues = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("batch-timer"));
    private final ExecutorService inference = Executors.newSingleThreadExecutor(daemon("inference"));
    private final DistributionSummary batchSizes;

    private record Key(String domain, OptionalInt version) {
    }

    private record Item(String text, CompletableFuture<Classification> result) {
    }

    private static final class Queue {
        final ArrayDeque<Item> items = new ArrayDeque<>();
        boolean flushScheduled;
    }

    public Batcher(Classifier classifier, int maxBatch, Duration maxWait, int capacity, MeterRegistry metrics) {
        this.classifier = classifier;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.capacity = capacity;
        this.batchSizes = DistributionSummary.builder("continua_serving_batch_size")
                .description("Texts per inference batch").publishPercentiles(0.5, 0.99).register(metrics);
    }

    /** Queues the texts; each future completes with its text's classification, or fails. */
    public List<CompletableFuture<Classification>> submit(String domain, OptionalInt version, List<String> texts) {
        Key key = new Key(domain, version);
        Queue queue = queues.computeIfAbsent(key, k -> new Queue());
        List<CompletableFuture<Classification>> results = new ArrayList<>(texts.size());
        synchronized (queue) {
            if (queue.items.size() + texts.size() > capacity) {
                throw new OverloadedException(domain, capacity);
            }
            for (String text : texts) {
                CompletableFuture<Classification> result = new CompletableFuture<>();
                queue.items.add(new Item(text, result));
                results.add(result);
            }
            if (!queue.flushScheduled) {
                queue.flushScheduled = true;
                if (maxWait.isZero() || queue.items.size() >= maxBatch) {
                    inference.execute(() -> flush(key, queue));
                } else {
                    timer.schedule(() -> inference.execute(() -> flush(key, queue)), maxWait.toNanos(),
                            TimeUnit.NANOSECONDS);
                }
            }
        }
        return results;
    }

    private void flush(Key key, Queue queue) {
        List<Item> batch = new ArrayList<>(maxBatch);
        synchronized (queue) {
            while (batch.size() < maxBatch && !queue.items.isEmpty()) {
                batch.add(queue.items.poll());
            }
            queue.flushScheduled = !queue.items.isEmpty();
            if (queue.flushScheduled) {
                inference.execute(() -> flush(key, queue));
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        batchSizes.record(batch.size());
        try {
            List<Classification> results = classifier.classify(key.domain(), key.version(),
                    batch.stream().map(Item::text).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            batch.forEach(item -> item.result().completeExceptionally(e));
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        inference.shutdown();
        inference.awaitTermination(30, TimeUnit.SECONDS);
    }
}
