package io.continua.serving.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batch formation across domains, with a runner that records each batch instead of running a model. */
class BatcherTest {
    private static TextTokenizer tokenizer;

    /** A delta of a layout that counts the references given back. */
    private static final class FakeDelta implements Batcher.Delta {
        final String layout;
        final AtomicInteger released = new AtomicInteger();

        FakeDelta(String layout) {
            this.layout = layout;
        }

        @Override
        public String layoutKey() {
            return layout;
        }

        @Override
        public void release() {
            released.incrementAndGet();
        }
    }

    /** Records every batch; the first batch waits until {@link #open} is counted down. */
    private static final class Recorder implements Batcher.BatchRunner<FakeDelta> {
        final List<List<Batcher.Item<FakeDelta>>> batches = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch firstStarted = new CountDownLatch(1);

        @Override
        public List<Classification> classify(List<Batcher.Item<FakeDelta>> batch) {
            firstStarted.countDown();
            try {
                open.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(List.copyOf(batch));
            if (batch.stream().anyMatch(item -> item.domain().equals("broken"))) {
                throw new IllegalStateException("inference failed");
            }
            return batch.stream().map(item -> new Classification(item.domain(), List.of(), 1, false)).toList();
        }
    }

    @BeforeAll
    static void load() {
        tokenizer = new TextTokenizer(PretrainedEncoder.allMiniLmL6V2().tokenizerJson(), 128);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void aFloodingDomainCannotStarveAnother() throws Exception {
        Recorder recorder = new Recorder();
        try (Batcher<FakeDelta> batcher = new Batcher<>(recorder, tokenizer, 8, 10_000, Duration.ZERO, 1000,
                new SimpleMeterRegistry())) {
            FakeDelta flood = new FakeDelta("head");
            FakeDelta quiet = new FakeDelta("head");
            List<CompletableFuture<Classification>> first = batcher.submit("flood", flood, List.of("first"));
            recorder.firstStarted.await(10, TimeUnit.SECONDS);
            List<CompletableFuture<Classification>> floodResults = batcher.submit("flood", flood, texts(200));
            CompletableFuture<Classification> quietResult = batcher.submit("quiet", quiet, List.of("hello")).get(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> readyToRun(batcher));
            recorder.open.countDown();

            assertThat(quietResult.get(10, TimeUnit.SECONDS).label()).isEqualTo("quiet");
            CompletableFuture.allOf(floodResults.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            int quietBatch = IntStream.range(0, recorder.batches.size())
                    .filter(index -> recorder.batches.get(index).stream().anyMatch(item -> item.domain().equals("quiet")))
                    .findFirst().orElseThrow();
            assertThat(quietBatch).as("the quiet domain's text runs in the batch after the one running").isEqualTo(1);
            assertThat(recorder.batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(8));
            assertThat(first.get(0).isDone()).isTrue();
            await().untilAsserted(() -> assertThat(flood.released.get()).as("one release per request").isEqualTo(2));
            assertThat(quiet.released.get()).isEqualTo(1);
        }
    }

    @Test
    void batchesKeepToTheTokenBudgetAndToOneLayout() throws Exception {
        Recorder recorder = new Recorder();
        recorder.open.countDown();
        try (Batcher<FakeDelta> batcher = new Batcher<>(recorder, tokenizer, 64, 40, Duration.ofMillis(200), 1000,
                new SimpleMeterRegistry())) {
            FakeDelta lora = new FakeDelta("head+lora");
            FakeDelta adapter = new FakeDelta("head+adapter");
            List<CompletableFuture<Classification>> all = new ArrayList<>();
            all.addAll(batcher.submit("a", lora, texts(30)));
            all.addAll(batcher.submit("b", adapter, texts(30)));
            all.addAll(batcher.submit("c", lora, texts(10)));
            all.addAll(batcher.submit("d", lora, List.of("word ".repeat(60))));
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);

            assertThat(recorder.batches).allSatisfy(batch -> {
                assertThat(batch.stream().map(item -> item.delta().layoutKey()).distinct()).hasSize(1);
                int tokens = batch.stream().mapToInt(item -> item.tokens().length()).sum();
                assertThat(tokens <= 40 || batch.size() == 1).as("%d tokens in %d texts", tokens, batch.size()).isTrue();
            });
            assertThat(recorder.batches).as("domains of one layout share batches").anySatisfy(batch ->
                    assertThat(batch.stream().map(Batcher.Item::domain).distinct()).contains("a", "c"));
            assertThat(recorder.batches).as("a text beyond the budget runs alone").anySatisfy(batch ->
                    assertThat(batch).singleElement().satisfies(item -> assertThat(item.domain()).isEqualTo("d")));
        }
    }

    @Test
    void overloadIsRefusedAtOnceAndAFailedBatchFailsOnlyItsTexts() throws Exception {
        Recorder recorder = new Recorder();
        try (Batcher<FakeDelta> batcher = new Batcher<>(recorder, tokenizer, 4, 10_000, Duration.ZERO, 5,
                new SimpleMeterRegistry())) {
            FakeDelta delta = new FakeDelta("head");
            List<CompletableFuture<Classification>> admitted = batcher.submit("busy", delta, texts(5));
            assertThatThrownBy(() -> batcher.submit("busy", delta, List.of("one more")))
                    .isInstanceOf(OverloadedException.class);
            FakeDelta broken = new FakeDelta("other");
            CompletableFuture<Classification> failing = batcher.submit("broken", broken, List.of("x")).get(0);
            recorder.open.countDown();
            CompletableFuture.allOf(admitted.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            assertThat(failing).failsWithin(Duration.ofSeconds(10));
            await().untilAsserted(() -> assertThat(broken.released.get()).isEqualTo(1));
            assertThat(batcher.submit("busy", delta, texts(5))).as("room again once answered").hasSize(5);
        }
    }

    /** Whether the batcher has tokenized what was submitted (the first batch is still running). */
    private static boolean readyToRun(Batcher<?> batcher) {
        return batcher.waiting() >= 201;
    }

    private static List<String> texts(int count) {
        return IntStream.range(0, count).mapToObj(i -> "text number " + i).toList();
    }
}
