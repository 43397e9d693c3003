package io.continua.serving.inference;

import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.Tokens;
import io.continua.schemas.loop.RestartingLoop;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching across domains. Texts are tokenized on a thread of their own (never on the
 * caller's event loop, never on the inference thread) and wait in one lane per domain. The
 * inference thread forms each batch by a token budget: it takes texts from the lanes in turn, one
 * per lane per round, so a busy domain cannot starve the others; every text of a batch uses a delta
 * of one layout (the first lane's), and lanes of other layouts lead the following batches. An idle
 * server runs a text at once (after at most {@code maxWait}); under load texts gather while the
 * previous batch runs. A domain holds at most {@code capacity} waiting texts; beyond that,
 * submissions are refused at once ({@link OverloadedException}).
 */
public final class Batcher<D extends Batcher.Delta> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    /** What the batcher needs of a delta: which deltas can share a batch, and giving back the caller's reference. */
    public interface Delta {
        String layoutKey();

        void release();
    }

    /** What runs a batch: each item's text on its own delta. */
    @FunctionalInterface
    public interface BatchRunner<D extends Delta> {
        List<Classification> classify(List<Item<D>> batch);
    }

    /** One text waiting to be classified with the delta it was admitted on. */
    public record Item<D>(String domain, D delta, Tokens tokens, CompletableFuture<Classification> result) {
    }

    private final class Lane {
        final ArrayDeque<Item<D>> ready = new ArrayDeque<>();
        /** Admitted texts not yet answered: tokenizing, ready, or running. */
        int admitted;
    }

    private final BatchRunner<D> runner;
    private final TextTokenizer tokenizer;
    private final int maxTexts;
    private final int maxTokens;
    private final Duration maxWait;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readyToRun = lock.newCondition();
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    private final ExecutorService tokenizing = Executors.newSingleThreadExecutor(daemon("tokenize"));
    private final RestartingLoop inference;
    private final DistributionSummary batchTexts;
    private final DistributionSummary batchTokens;
    private final DistributionSummary batchDeltas;
    /** The longest a batch waits for the clients of the last one to come back. */
    private static final Duration GATHER_LIMIT = Duration.ofMillis(10);

    private int readyCount;
    /** Written by the inference thread only, read by it under the lock. */
    private int lastBatchSize;
    private long lastRunNanos;
    private int nextLane;
    private volatile boolean running = true;

    public Batcher(BatchRunner<D> runner, TextTokenizer tokenizer, int maxTexts, int maxTokens, Duration maxWait,
                   int capacity, MeterRegistry metrics) {
        this.runner = runner;
        this.tokenizer = tokenizer;
        this.maxTexts = maxTexts;
        this.maxTokens = maxTokens;
        this.maxWait = maxWait;
        this.capacity = capacity;
        this.batchTexts = DistributionSummary.builder("continua_serving_batch_size")
                .description("Texts per inference batch").publishPercentiles(0.5, 0.99).register(metrics);
        this.batchTokens = DistributionSummary.builder("continua_serving_batch_tokens")
                .description("Real tokens per inference batch").publishPercentiles(0.5, 0.99).register(metrics);
        this.batchDeltas = DistributionSummary.builder("continua_serving_batch_deltas")
                .description("Distinct deltas per inference batch").publishPercentiles(0.5, 0.99).register(metrics);
        Gauge.builder("continua_serving_waiting_texts", this, Batcher::waiting)
                .description("Tokenized texts waiting for a batch, all domains").register(metrics);
        // A failure while forming a batch must not end inference for good: the loop logs it, reports itself
        // down (serving is not ready meanwhile) and goes on.
        this.inference = RestartingLoop.start("inference", this::runNextBatch, () -> { }, this::wakeUp, () -> { });
    }

    /**
     * Queues the texts of one request, to be run on {@code delta}; each future completes with its
     * text's classification, or fails. The caller's reference on the delta is released when the
     * last of them is answered.
     */
    public List<CompletableFuture<Classification>> submit(String domain, D delta, List<String> texts) {
        lock.lock();
        try {
            Lane lane = lanes.computeIfAbsent(domain, key -> new Lane());
            if (lane.admitted + texts.size() > capacity) {
                throw new OverloadedException(domain, capacity);
            }
            lane.admitted += texts.size();
        } finally {
            lock.unlock();
        }
        List<CompletableFuture<Classification>> results = new ArrayList<>(texts.size());
        texts.forEach(text -> results.add(new CompletableFuture<>()));
        CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).whenComplete((done, failure) -> {
            delta.release();
            lock.lock();
            try {
                lanes.get(domain).admitted -= texts.size();
            } finally {
                lock.unlock();
            }
        });
        tokenizing.execute(() -> tokenize(domain, delta, texts, results));
        return results;
    }

    /** Texts tokenized and waiting for a batch, all domains together. */
    public int waiting() {
        lock.lock();
        try {
            return readyCount;
        } finally {
            lock.unlock();
        }
    }

    private void tokenize(String domain, D delta, List<String> texts,
                          List<CompletableFuture<Classification>> results) {
        List<Tokens> tokens;
        try {
            tokens = tokenizer.tokenize(texts);
        } catch (RuntimeException e) {
            results.forEach(result -> result.completeExceptionally(e));
            return;
        }
        lock.lock();
        try {
            Lane lane = lanes.get(domain);
            for (int i = 0; i < texts.size(); i++) {
                lane.ready.add(new Item<>(domain, delta, tokens.get(i), results.get(i)));
            }
            readyCount += texts.size();
            readyToRun.signal();
        } finally {
            lock.unlock();
        }
    }

    private void runNextBatch() throws InterruptedException {
        List<Item<D>> batch = nextBatch();
        if (!batch.isEmpty()) {
            run(batch);
        }
    }

    /** Whether batches are being formed and run (the inference loop is up). */
    public boolean isRunning() {
        return inference.isUp();
    }

    private void wakeUp() {
        lock.lock();
        try {
            readyToRun.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for ready texts, then for a fuller batch: up to {@code maxWait} (0 by default), and,
     * under load (the last batch held several texts), until as many texts as last time are ready or
     * a quarter of the last batch's run time has passed, at most {@link #GATHER_LIMIT}. The clients
     * answered by the last batch send their next texts within that window, so batches stay full
     * instead of alternating between a few stragglers and the rest; an idle server still runs a
     * lone text at once.
     */
    private List<Item<D>> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (readyCount == 0) {
                if (!running) {
                    return List.of();
                }
                readyToRun.await();
            }
            long gather = lastBatchSize > 1 ? Math.min(GATHER_LIMIT.toNanos(), lastRunNanos / 4) : 0;
            int wanted = lastBatchSize > 1 ? Math.min(lastBatchSize, maxTexts) : maxTexts;
            long deadline = System.nanoTime() + Math.max(maxWait.toNanos(), gather);
            long left;
            while (readyCount < wanted && running && (left = deadline - System.nanoTime()) > 0) {
                readyToRun.awaitNanos(left);
            }
            return takeBatch();
        } finally {
            lock.unlock();
        }
    }

    /** Round robin over the lanes, one text per lane per round, all of the first text's layout, within the budget. */
    private List<Item<D>> takeBatch() {
        List<Lane> order = new ArrayList<>(lanes.values());
        int start = nextLane % order.size();
        String layout = null;
        int tokens = 0;
        List<Item<D>> batch = new ArrayList<>();
        boolean took = true;
        while (took && batch.size() < maxTexts) {
            took = false;
            for (int i = 0; i < order.size() && batch.size() < maxTexts; i++) {
                Lane lane = order.get((start + i) % order.size());
                Item<D> head = lane.ready.peek();
                if (head == null) {
                    continue;
                }
                String headLayout = head.delta().layoutKey();
                if (layout == null) {
                    layout = headLayout;
                    nextLane = (start + i + 1) % order.size();
                } else if (!layout.equals(headLayout)) {
                    continue;
                }
                if (!batch.isEmpty() && tokens + head.tokens().length() > maxTokens) {
                    took = false;
                    break;
                }
                batch.add(lane.ready.poll());
                tokens += head.tokens().length();
                took = true;
            }
        }
        readyCount -= batch.size();
        return batch;
    }

    private void run(List<Item<D>> batch) {
        long started = System.nanoTime();
        batchTexts.record(batch.size());
        batchTokens.record(batch.stream().mapToInt(item -> item.tokens().length()).sum());
        batchDeltas.record(batch.stream().map(Item::delta).distinct().count());
        try {
            List<Classification> results = runner.classify(batch);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            log.warn("A batch of {} texts failed: {}", batch.size(), e.toString());
            batch.forEach(item -> item.result().completeExceptionally(e));
        }
        lastBatchSize = batch.size();
        lastRunNanos = System.nanoTime() - started;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops taking batches; the batch running finishes; texts still waiting are failed. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        tokenizing.shutdown();
        tokenizing.awaitTermination(10, TimeUnit.SECONDS);
        inference.close();
        lock.lock();
        try {
            IllegalStateException closed = new IllegalStateException("Serving is shutting down");
            lanes.values().forEach(lane -> lane.ready.forEach(item -> item.result().completeExceptionally(closed)));
            lanes.values().forEach(lane -> lane.ready.clear());
        } finally {
            lock.unlock();
        }
    }
}
