package io.continua.ingest;

import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of the ingest service, with local defaults. The CLI maps each to a flag and an
 * environment variable (see the README's ingest table).
 *
 * @param holdoutFraction     share of texts assigned to HOLDOUT (by a hash of domain and text)
 * @param maxTextLength       longest accepted text, in characters after normalization
 * @param maxLabelLength      longest accepted label, in characters
 * @param dedupRetention      how long a seen text is remembered for de-duplication
 * @param maxFutureSkew       how far in the future an event time may be before it is absurd
 * @param prequentialWindow   how long after a prediction its label may arrive to be joined
 * @param metricsWindow       the tumbling window prequential accuracy is reported over
 */
public record IngestConfig(KafkaConnection kafka, String applicationId, Topics topics, Path stateDir,
                           double holdoutFraction, int maxTextLength, int maxLabelLength, Duration dedupRetention,
                           Duration maxFutureSkew, Duration prequentialWindow, Duration metricsWindow,
                           String host, int httpPort, Duration commitInterval) {
    /** Event times before this are absurd (2000-01-01T00:00:00Z). */
    public static final long EARLIEST_EVENT_TIME_MS = 946_684_800_000L;

    public IngestConfig {
        if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 1), got " + holdoutFraction);
        }
        if (maxTextLength < 1 || maxLabelLength < 1) {
            throw new IllegalArgumentException("maximum lengths must be positive");
        }
    }

    public static IngestConfig defaults(String bootstrapServers, Path dataDir) {
        return new IngestConfig(KafkaConnection.plaintext(bootstrapServers), "continua-ingest",
                Topics.withDefaultPrefix(),
                dataDir.resolve("ingest").resolve("state"), 0.1, 10_000, 100, Duration.ofDays(7),
                Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(1), "0.0.0.0", 8083,
                Duration.ofMillis(200));
    }

    public IngestConfig withHttpPort(int port) {
        return new IngestConfig(kafka, applicationId, topics, stateDir, holdoutFraction, maxTextLength,
                maxLabelLength, dedupRetention, maxFutureSkew, prequentialWindow, metricsWindow, host, port,
                commitInterval);
    }

    /** Where the HTTP server listens: {@code 127.0.0.1} for this machine only, {@code 0.0.0.0} for every interface. */
    public IngestConfig withHost(String newHost) {
        return new IngestConfig(kafka, applicationId, topics, stateDir, holdoutFraction, maxTextLength,
                maxLabelLength, dedupRetention, maxFutureSkew, prequentialWindow, metricsWindow, newHost, httpPort,
                commitInterval);
    }

    public IngestConfig withApplicationId(String id, Path state) {
        return new IngestConfig(kafka, id, topics, state, holdoutFraction, maxTextLength,
                maxLabelLength, dedupRetention, maxFutureSkew, prequentialWindow, metricsWindow, host,
                httpPort, commitInterval);
    }

    public IngestConfig withTopics(Topics newTopics) {
        return new IngestConfig(kafka, applicationId, newTopics, stateDir, holdoutFraction, maxTextLength,
                maxLabelLength, dedupRetention, maxFutureSkew, prequentialWindow, metricsWindow, host,
                httpPort, commitInterval);
    }

    /** The cluster and the client settings (security) this service connects with. */
    public IngestConfig withKafka(KafkaConnection newKafka) {
        return new IngestConfig(newKafka, applicationId, topics, stateDir, holdoutFraction, maxTextLength,
                maxLabelLength, dedupRetention, maxFutureSkew, prequentialWindow, metricsWindow, host, httpPort,
                commitInterval);
    }
}
