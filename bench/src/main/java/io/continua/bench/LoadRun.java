package io.continua.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/** Closed-loop load: {@code concurrency} workers call an action back to back for a while; latencies are kept. */
final class LoadRun {
    /** What a run measured. */
    record Result(int concurrency, long requests, long failures, double seconds, double[] latenciesMs) {
        double rps() {
            return requests / seconds;
        }

        double p50() {
            return Percentiles.of(latenciesMs, 50);
        }

        double p99() {
            return Percentiles.of(latenciesMs, 99);
        }
    }

    private LoadRun() {
    }

    /** Runs {@code action} (given a per-call counter, to vary inputs) with a warm-up of one call per worker. */
    static Result run(int concurrency, Duration duration, IntConsumer action) throws Exception {
        for (int i = 0; i < concurrency; i++) {
            action.accept(i);
        }
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failures = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        List<Future<?>> running = new ArrayList<>();
        for (int worker = 0; worker < concurrency; worker++) {
            running.add(workers.submit(() -> {
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    try {
                        action.accept((int) calls.getAndIncrement());
                        latencies.add((System.nanoTime() - sent) / 1e6);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : running) {
            future.get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        workers.shutdown();
        double[] values = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(concurrency, values.length, failures.get(), seconds, values);
    }
}
