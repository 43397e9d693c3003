package io.continua.serving;

import io.continua.peft.runtime.Precision;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of the serving service; the CLI maps each to a flag and an environment variable.
 *
 * @param alias             the alias whose target each domain serves by default
 * @param maxBatch          most texts run in one inference batch
 * @param maxBatchTokens    most real tokens in one inference batch (texts of every domain count; one
 *                          text longer than this still runs, alone)
 * @param maxWait           how long an idle server lets a batch gather before running it (0: run at once;
 *                          under load batches gather while the previous one runs)
 * @param queueCapacity     texts waiting per domain before requests are refused with 429
 * @param maxTextsPerRequest most texts in one HTTP request (413 beyond)
 * @param maxTextChars      most characters in one text, checked before any work is spent on it (413 beyond)
 * @param topK              how many labels a prediction's scores list
 * @param maxTokens         the tokenizer's limit; longer texts are truncated and flagged
 * @param pinnedVersions    versions kept loaded for requests that pin one (besides the served ones)
 * @param precision         the base's matrix products: fp32, or bf16 (faster on CPUs with native bfloat16)
 */
public record ServingConfig(KafkaConnection kafka, Topics topics, String registryUrl, String registryToken,
                            String alias, String host, int httpPort, int maxBatch, int maxBatchTokens,
                            Duration maxWait, int queueCapacity, int maxTextsPerRequest, int maxTextChars, int topK,
                            int maxTokens, int pinnedVersions, Path exportDir, String groupId,
                            boolean consumeRequests, Precision precision,
        DeltaLogSignatures deltaSignatures) {
    public static ServingConfig defaults(String bootstrapServers, String registryUrl, Path cacheDir) {
        return new ServingConfig(KafkaConnection.plaintext(bootstrapServers), Topics.withDefaultPrefix(),
                registryUrl, null, "production",
                "0.0.0.0", 8082, 64, 2048, Duration.ZERO, 512, 64, 10_000, 5, 128, 4, cacheDir.resolve("serving"),
                "continua-serving", true, Precision.configured(), DeltaLogSignatures.NONE);
    }

    public ServingConfig withHttpPort(int port) {
        return new ServingConfig(kafka, topics, registryUrl, registryToken, alias, host, port, maxBatch,
                maxBatchTokens, maxWait, queueCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, groupId, consumeRequests, precision, deltaSignatures);
    }

    public ServingConfig withTopics(Topics newTopics, String newGroupId) {
        return new ServingConfig(kafka, newTopics, registryUrl, registryToken, alias, host, httpPort,
                maxBatch, maxBatchTokens, maxWait, queueCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, newGroupId, consumeRequests, precision, deltaSignatures);
    }

    /** Where the HTTP server listens: {@code 127.0.0.1} for this machine only, {@code 0.0.0.0} for every interface. */
    public ServingConfig withHost(String newHost) {
        return new ServingConfig(kafka, topics, registryUrl, registryToken, alias, newHost, httpPort,
                maxBatch, maxBatchTokens, maxWait, queueCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, groupId, consumeRequests, precision, deltaSignatures);
    }

    public ServingConfig withPrecision(Precision newPrecision) {
        return new ServingConfig(kafka, topics, registryUrl, registryToken, alias, host, httpPort,
                maxBatch, maxBatchTokens, maxWait, queueCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, groupId, consumeRequests, newPrecision, deltaSignatures);
    }

    /** The cluster and the client settings (security) this service connects with. */
    public ServingConfig withKafka(KafkaConnection newKafka) {
        return new ServingConfig(newKafka, topics, registryUrl, registryToken, alias, host, httpPort, maxBatch,
                maxBatchTokens, maxWait, queueCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, groupId, consumeRequests, precision, deltaSignatures);
    }

    /** How records of the deltas log are signed (the writer) and checked (every reader). */
    public ServingConfig withDeltaSignatures(DeltaLogSignatures newSignatures) {
        return new ServingConfig(kafka, topics, registryUrl, registryToken, alias, host, httpPort, maxBatch,
                maxBatchTokens, maxWait, queueCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, groupId, consumeRequests, precision, newSignatures);
    }

    /** Texts waiting per domain before HTTP requests get 429 and Kafka partitions pause. */
    public ServingConfig withQueueCapacity(int newCapacity) {
        return new ServingConfig(kafka, topics, registryUrl, registryToken, alias, host, httpPort, maxBatch,
                maxBatchTokens, maxWait, newCapacity, maxTextsPerRequest, maxTextChars, topK, maxTokens,
                pinnedVersions, exportDir, groupId, consumeRequests, precision, deltaSignatures);
    }
}
