package io.continua.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.schemas.errors.ServiceException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits every server has: idle connections are closed, unanswered requests time out with JSON. */
class HttpServersIT {
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.get("/never").handler(context -> { });
        router.get("/fine").handler(context -> HttpJson.respond(context, 200, new JsonObject().put("ok", true)));
        router.get("/gone").handler(context -> {
            throw ServiceException.notFound("no_such_thing", "Nothing is here");
        });
        router.get("/bug").handler(context -> {
            throw new IllegalArgumentException("a bug, not the client's fault");
        });
        ServiceRoutes.addFallbacks(router);
        server = HttpServers.listen(vertx, router, "127.0.0.1", 0, Duration.ofMillis(800), Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        HttpServers.close(server);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aHalfSentRequestLosesItsConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
            // A connection the server kept open would fail the read below with a SocketTimeoutException.
            socket.setSoTimeout(8_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /fine HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n{\"par".getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // whatever the server says before it closes
            }
        }
    }

    @Test
    void refusalsAnswerTheirKindsStatusAndBugsA500WithAnErrorId() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.actualPort() + "/gone")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(gone.body())).isEqualTo(new JsonObject().put("error", "no_such_thing")
                .put("detail", "Nothing is here"));

        HttpResponse<String> bug = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.actualPort() + "/bug")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bug.statusCode()).as("an IllegalArgumentException is a bug, not a client error").isEqualTo(500);
        JsonObject answer = new JsonObject(bug.body());
        assertThat(answer.getString("error")).isEqualTo("internal_error");
        assertThat(answer.getString("detail")).matches(".*error id [0-9a-f-]{36}").doesNotContain("a bug");
    }

    @Test
    void anUnansweredRequestTimesOutWithAJsonError() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.actualPort() + "/never")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("timeout");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/fine"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
}
