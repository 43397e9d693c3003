package io.continua.trainer;

import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import java.time.Duration;

/**
 * Every setting of the trainer; the CLI maps each to a flag and an environment variable.
 *
 * @param minNewExamples      an update starts once this many new TRAIN examples arrived ...
 * @param maxInterval         ... or this long after the last update, if at least one did
 * @param stepsPerUpdate      optimizer steps per update
 * @param replayFraction      share of each batch drawn from replayed (older) examples
 * @param replayCapacity      examples kept per domain for replay, balanced across labels
 * @param holdoutCapacity     HOLDOUT examples kept per domain for gating, balanced across labels
 * @param gateMargin          a candidate passes if its holdout accuracy is at least the champion's minus this
 * @param maxForgetting       ... and its accuracy on replayed older examples drops by at most this
 * @param rebuildLookback     records re-read before the committed offset on assignment, to refill the reservoirs
 * @param idleAfter           with no new example for this long, a domain consolidates: it trains on its replay
 *                            reservoir alone and registers the result if it beats the champion on the holdout
 * @param consolidations      the most consolidation rounds after the last new example (0: never)
 */
public record TrainerConfig(KafkaConnection kafka, Topics topics, String registryUrl, String registryToken,
                            String groupId, int minNewExamples, Duration maxInterval, int stepsPerUpdate, int batchSize,
                            double replayFraction, int replayCapacity, int holdoutCapacity, double gateMargin,
                            double maxForgetting, long rebuildLookback, String host, int httpPort,
                            Duration sessionTimeout, Duration idleAfter, int consolidations) {
    public static TrainerConfig defaults(String bootstrapServers, String registryUrl, String registryToken) {
        return new TrainerConfig(KafkaConnection.plaintext(bootstrapServers), Topics.withDefaultPrefix(),
                registryUrl, registryToken,
                "continua-trainer", 64, Duration.ofSeconds(20), 20, 32, 0.5, 4_000, 1_000, 0.0, 0.05,
                50_000, "0.0.0.0", 8084, Duration.ofSeconds(45), Duration.ofSeconds(30), 5);
    }

    public TrainerConfig withTopics(Topics newTopics, String newGroupId) {
        return new TrainerConfig(kafka, newTopics, registryUrl, registryToken, newGroupId, minNewExamples,
                maxInterval, stepsPerUpdate, batchSize, replayFraction, replayCapacity, holdoutCapacity, gateMargin,
                maxForgetting, rebuildLookback, host, httpPort, sessionTimeout, idleAfter,
                consolidations);
    }

    public TrainerConfig withTrigger(int newMinNewExamples, Duration newMaxInterval, int newSteps) {
        return new TrainerConfig(kafka, topics, registryUrl, registryToken, groupId, newMinNewExamples,
                newMaxInterval, newSteps, batchSize, replayFraction, replayCapacity, holdoutCapacity, gateMargin,
                maxForgetting, rebuildLookback, host, httpPort, sessionTimeout, idleAfter,
                consolidations);
    }

    public TrainerConfig withHttpPort(int port, Duration newSessionTimeout) {
        return new TrainerConfig(kafka, topics, registryUrl, registryToken, groupId, minNewExamples,
                maxInterval, stepsPerUpdate, batchSize, replayFraction, replayCapacity, holdoutCapacity, gateMargin,
                maxForgetting, rebuildLookback, host, port, newSessionTimeout, idleAfter,
                consolidations);
    }

    /** Where the status server listens: {@code 127.0.0.1} for this machine only,
            {@code 0.0.0.0} for every interface. */
    public TrainerConfig withHost(String newHost) {
        return new TrainerConfig(kafka, topics, registryUrl, registryToken, groupId, minNewExamples,
                maxInterval, stepsPerUpdate, batchSize, replayFraction, replayCapacity, holdoutCapacity, gateMargin,
                maxForgetting, rebuildLookback, newHost, httpPort, sessionTimeout, idleAfter, consolidations);
    }

    public TrainerConfig withGate(double margin, double forgetting) {
        return new TrainerConfig(kafka, topics, registryUrl, registryToken, groupId, minNewExamples,
                maxInterval, stepsPerUpdate, batchSize, replayFraction, replayCapacity, holdoutCapacity, margin,
                forgetting, rebuildLookback, host, httpPort, sessionTimeout, idleAfter,
                consolidations);
    }

    public TrainerConfig withConsolidation(Duration newIdleAfter, int rounds) {
        return new TrainerConfig(kafka, topics, registryUrl, registryToken, groupId, minNewExamples,
                maxInterval, stepsPerUpdate, batchSize, replayFraction, replayCapacity, holdoutCapacity, gateMargin,
                maxForgetting, rebuildLookback, host, httpPort, sessionTimeout, newIdleAfter, rounds);
    }

    public TrainerConfig withReservoirs(int replay, int holdout) {
        return new TrainerConfig(kafka, topics, registryUrl, registryToken, groupId, minNewExamples,
                maxInterval, stepsPerUpdate, batchSize, replayFraction, replay, holdout, gateMargin, maxForgetting,
                rebuildLookback, host, httpPort, sessionTimeout, idleAfter, consolidations);
    }

    /** The cluster and the client settings (security) this service connects with. */
    public TrainerConfig withKafka(KafkaConnection newKafka) {
        return new TrainerConfig(newKafka, topics, registryUrl, registryToken, groupId, minNewExamples, maxInterval,
                stepsPerUpdate, batchSize, replayFraction, replayCapacity, holdoutCapacity, gateMargin,
                maxForgetting, rebuildLookback, host, httpPort, sessionTimeout, idleAfter, consolidations);
    }
}
