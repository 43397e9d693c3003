package io.continua.schemas.confluent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a Schema Registry at the seam {@link ConfluentSchemas} asks over HTTP: answers
 * {@code GET /schemas/ids/{id}} from what a test puts in, as Confluent's registry answers, and can fail
 * the next calls with a server error. (The registry's real API is tested in the registry module.)
 */
final class FakeSchemaRegistry implements AutoCloseable {
    private final HttpServer server;
    private final Map<Integer, String> answers = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();

    FakeSchemaRegistry(String prefix) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            if (failures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                status = 503;
                body = "{\"error_code\": 50003, \"message\": \"restarting\"}";
            } else if (path.startsWith(prefix + "/schemas/ids/")) {
                String answer = answers.get(Integer.parseInt(path.substring((prefix + "/schemas/ids/").length())));
                status = answer == null ? 404 : 200;
                body = answer == null ? "{\"error_code\": 40403, \"message\": \"Schema not found\"}" : answer;
            } else {
                status = 404;
                body = "<html>Not Found</html>";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** What {@code GET /schemas/ids/{id}} answers from now on. */
    void answer(int id, String json) {
        answers.put(id, json);
    }

    /** The next {@code count} calls answer 503. */
    void failNext(int count) {
        failures.set(count);
    }

    int calls() {
        return calls.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
