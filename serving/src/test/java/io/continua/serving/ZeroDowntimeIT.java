package io.continua.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Eight clients send requests for 20 seconds while the production alias moves three times: no
 * request fails, every answer names a version the alias pointed at during the request's life (or
 * the previous target while the replica had not finished swapping), and once a swap is complete
 * every new request gets the new version.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ZeroDowntimeIT {
    private static final int CLIENTS = 8;
    private static final Duration RUN = Duration.ofSeconds(20);

    /** One answered request: when it was sent and answered, and the version that answered it. */
    private record Answer(long sentNanos, long answeredNanos, int status, int version) {
    }

    /** A move of the alias: when it was asked of the registry, when the replica served it, and to what. */
    private record Move(long movedNanos, long servedNanos, int version) {
    }

    @Test
    void swapsUnderLoadWithZeroFailedRequests(EmbeddedKafka kafka) throws Exception {
        try (ServingStack stack = new ServingStack(kafka)) {
            stack.manualPromotion("banking");
            for (int seed = 1; seed <= 4; seed++) {
                stack.upload("banking", seed);
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            stack.client.moveAlias("banking", "production", 1, "start");
            ServingService serving = stack.startServing();
            List<Move> moves = Collections.synchronizedList(new ArrayList<>());
            moves.add(new Move(0, 0, 1));
            awaitActive(http, serving, 1);

            List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
            long end = System.nanoTime() + RUN.toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int id = client;
                running.add(clients.submit(() -> {
                    int i = 0;
                    while (System.nanoTime() < end) {
                        answers.add(ask(http, serving, "client " + id + " asks question " + i++));
                    }
                    return null;
                }));
            }
            for (int version = 2; version <= 4; version++) {
                Thread.sleep(RUN.toMillis() / 4);
                // The move may reach serving before the registry answers: it counts from when it was asked.
                long moved = System.nanoTime();
                stack.client.moveAlias("banking", "production", version, "swap under load");
                awaitActive(http, serving, version);
                moves.add(new Move(moved, System.nanoTime(), version));
            }
            for (Future<?> client : running) {
                client.get(RUN.toSeconds() + 60, TimeUnit.SECONDS);
            }
            clients.shutdown();

            assertThat(moves).hasSize(4);
            assertThat(answers).hasSizeGreaterThan(100);
            assertThat(answers).as("failed requests").allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
            for (Answer answer : answers) {
                assertThat(allowedVersions(moves, answer)).as("versions allowed for %s", answer).contains(answer.version());
            }
            for (int i = 1; i < moves.size(); i++) {
                Move swap = moves.get(i);
                long nextMove = i + 1 < moves.size() ? moves.get(i + 1).movedNanos() : Long.MAX_VALUE;
                List<Answer> after = answers.stream()
                        .filter(answer -> answer.sentNanos() > swap.servedNanos() && answer.sentNanos() < nextMove)
                        .toList();
                assertThat(after).as("requests sent after the swap to %d completed", swap.version())
                        .isNotEmpty().allSatisfy(answer -> assertThat(answer.version()).isEqualTo(swap.version()));
            }
            System.out.printf("Zero downtime: %d requests by %d clients over %d s, 3 swaps, 0 failed%n",
                    answers.size(), CLIENTS, RUN.toSeconds());
        }
    }

    /**
     * The targets the alias had while the request was in flight, plus the previous target if the
     * request was sent after a move but before the replica had swapped to it.
     */
    private static List<Integer> allowedVersions(List<Move> moves, Answer answer) {
        List<Integer> allowed = new ArrayList<>();
        for (int i = 0; i < moves.size(); i++) {
            Move move = moves.get(i);
            long until = i + 1 < moves.size() ? moves.get(i + 1).servedNanos() : Long.MAX_VALUE;
            if (move.movedNanos() <= answer.answeredNanos() && until >= answer.sentNanos()) {
                allowed.add(move.version());
            }
        }
        return allowed;
    }

    private static Answer ask(HttpClient http, ServingService serving, String text) {
        long sent = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(serving.url()
                            + "/v1/domains/banking/predict")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("text", text).encode())).build(),
                    HttpResponse.BodyHandlers.ofString());
            int version = response.statusCode() == 200 ? new JsonObject(response.body()).getInteger("version") : -1;
            return new Answer(sent, System.nanoTime(), response.statusCode(), version);
        } catch (Exception e) {
            return new Answer(sent, System.nanoTime(), -1, -1);
        }
    }

    private static void awaitActive(HttpClient http, ServingService serving, int version) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(serving.url()
                    + "/v1/domains/banking")).build(), HttpResponse.BodyHandlers.ofString());
            return Integer.valueOf(version).equals(new JsonObject(status.body()).getInteger("activeVersion"));
        });
    }
}
