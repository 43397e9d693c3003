package io.continua.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.tokenizer.TextTokenizer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several domains, each with its own LoRA delta of one layout, answered together: batches hold
 * texts of several domains, and every text is answered by its own domain's delta (checked against
 * the in-process graph); a cold pinned version loads without holding up anyone else.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class MixedDomainServingIT {
    private static final int DOMAINS = 5;
    private static final List<String> TEXTS = List.of("where is my card", "I want my money back",
            "how do I top up by bank transfer", "my card was stolen yesterday", "the exchange rate looks wrong",
            "can I get a virtual card", "why was I charged a fee", "my transfer has not arrived");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ServingStack stack;

    @BeforeEach
    void start(EmbeddedKafka kafka) throws Exception {
        stack = new ServingStack(kafka);
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void textsOfManyDomainsShareBatchesAndEachIsAnsweredByItsOwnDelta() throws Exception {
        Map<String, Delta> deltas = new HashMap<>();
        for (int i = 0; i < DOMAINS; i++) {
            String domain = "domain-" + i;
            List<String> labels = IntStream.range(0, 3 + i).mapToObj(label -> domain + "-label-" + label).toList();
            Delta delta = Delta.initialize(LoraConfig.defaults(), stack.encoder.architecture(), labels, i)
                    .withRandomValues(i, 0.2);
            deltas.put(domain, delta);
            stack.upload(domain, delta);
        }
        ServingService serving = stack.startServing();
        deltas.keySet().forEach(domain -> stack.awaitActive(serving, domain, 1));

        Map<String, String> expected = expectedLabels(deltas);
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            List<String> wrong = Collections.synchronizedList(new ArrayList<>());
            for (int round = 0; round < 6; round++) {
                for (String domain : deltas.keySet()) {
                    for (String text : TEXTS) {
                        calls.add(CompletableFuture.runAsync(() -> {
                            JsonObject answer = predict(serving, domain, text, null);
                            if (!answer.getString("label").equals(expected.get(domain + "|" + text))
                                    || answer.getInteger("version") != 1) {
                                wrong.add(domain + " '" + text + "' -> " + answer.encode());
                            }
                        }, clients));
                    }
                }
            }
            CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(2, TimeUnit.MINUTES);
            assertThat(wrong).as("answers not from the text's own domain's delta").isEmpty();
        } finally {
            clients.shutdownNow();
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create(serving.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(maxOf(metrics, "continua_serving_batch_deltas_max")).as("deltas in the largest batch")
                .isGreaterThan(1);
    }

    @Test
    void aColdPinnedVersionLoadsWithoutHoldingUpOtherRequests() throws Exception {
        stack.upload("banking", 1);
        stack.upload("banking", 2);
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Armed only once version 2 serves: replaying the log may load version 1 as production first.
        AtomicBoolean armed = new AtomicBoolean();
        ServingService serving = stack.startServing((domain, version) -> {
            if (version == 1 && armed.get()) {
                loading.countDown();
                hold(release);
            }
            return stack.client.artifact(domain, version);
        });
        stack.awaitActive(serving, "banking", 2);
        armed.set(true);

        CompletableFuture<JsonObject> pinned = CompletableFuture.supplyAsync(() ->
                predict(serving, "banking", "card", 1));
        assertThat(loading.await(30, TimeUnit.SECONDS)).as("the pinned version is being loaded").isTrue();
        for (int request = 0; request < 6; request++) {
            assertThat(predict(serving, "banking", "card", null).getInteger("version"))
                    .as("answered while the pinned version loads").isEqualTo(2);
        }
        assertThat(pinned.isDone()).as("the pinned version is still loading").isFalse();
        release.countDown();
        assertThat(pinned.get(30, TimeUnit.SECONDS).getInteger("version")).isEqualTo(1);
    }

    /** The top label of every (domain, text), computed by the in-process graph with that domain's delta alone. */
    private Map<String, String> expectedLabels(Map<String, Delta> deltas) {
        Map<String, String> expected = new HashMap<>();
        try (TextTokenizer tokenizer = new TextTokenizer(stack.encoder.tokenizerJson(), 128)) {
            EncoderRuntime runtime = EncoderRuntime.of(stack.encoder);
            deltas.forEach((domain, delta) -> {
                float[][] probabilities = runtime.forward(delta.config().layout())
                        .run(tokenizer.tokenize(TEXTS), delta.inputs()).probabilities();
                for (int row = 0; row < TEXTS.size(); row++) {
                    int best = 0;
                    for (int label = 1; label < probabilities[row].length; label++) {
                        best = probabilities[row][label] > probabilities[row][best] ? label : best;
                    }
                    expected.put(domain + "|" + TEXTS.get(row), delta.labels().get(best));
                }
            });
        }
        return expected;
    }

    private static double maxOf(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .max().orElse(0);
    }

    private JsonObject predict(ServingService serving, String domain, String text, Integer version) {
        JsonObject body = new JsonObject().put("text", text);
        if (version != null) {
            body.put("version", version);
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(serving.url()
                            + "/v1/domains/" + domain + "/predict")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return new JsonObject(response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Holds the loader until the test lets it go (at most a minute, so a failing test cannot hang). */
    private static void hold(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
