package io.continua.cli;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.runtime.NativeCache;
import io.continua.peft.runtime.Precision;
import io.continua.serving.ServingConfig;
import io.continua.serving.ServingService;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the serving service alone against a Kafka cluster and a registry, until Ctrl-C. */
@Command(name = "serving", mixinStandardHelpOptions = true,
        description = {"Run the serving service alone against a Kafka cluster and a registry until Ctrl-C.",
            "POST /v1/domains/{d}/predict and predict.requests -> predict.results; every replica follows",
            "the deltas topic and swaps deltas in without downtime."})
final class ServingCommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private DeltaKeyOptions deltaKeys;

    @Option(names = "--registry", defaultValue = "${env:CONTINUA_REGISTRY_URL:-http://127.0.0.1:8081}",
            description = "Registry URL (env CONTINUA_REGISTRY_URL, default ${DEFAULT-VALUE}).")
    private String registryUrl;

    @Option(names = "--registry-token", defaultValue = "${env:CONTINUA_REGISTRY_TOKEN}",
            description = "Bearer token for the registry, if reads need one (env CONTINUA_REGISTRY_TOKEN).")
    private String registryToken;


    @Option(names = "--http-port", defaultValue = "${env:CONTINUA_SERVING_PORT:-8082}",
            description = "HTTP port (env CONTINUA_SERVING_PORT, default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--alias", defaultValue = "${env:CONTINUA_SERVING_ALIAS:-production}",
            description = "The alias each domain serves (env CONTINUA_SERVING_ALIAS, default ${DEFAULT-VALUE}).")
    private String alias;

    @Option(names = "--max-batch", defaultValue = "${env:CONTINUA_MAX_BATCH:-64}",
            description = "Most texts per inference batch (env CONTINUA_MAX_BATCH, default ${DEFAULT-VALUE}).")
    private int maxBatch;

    @Option(names = "--max-batch-tokens", defaultValue = "${env:CONTINUA_MAX_BATCH_TOKENS:-2048}",
            description = {"Most real tokens per inference batch, texts of every domain together",
                "(env CONTINUA_MAX_BATCH_TOKENS, default ${DEFAULT-VALUE})."})
    private int maxBatchTokens;

    @Option(names = "--max-wait", defaultValue = "${env:CONTINUA_MAX_WAIT:-PT0S}",
            description = {"How long an idle server lets a batch gather, ISO-8601 (env CONTINUA_MAX_WAIT, default",
                "${DEFAULT-VALUE}: run at once; under load, batches gather while the previous one runs)."})
    private Duration maxWait;

    @Option(names = "--queue-capacity", defaultValue = "${env:CONTINUA_QUEUE_CAPACITY:-512}",
            description = "Texts waiting per domain before 429 (env CONTINUA_QUEUE_CAPACITY, default ${DEFAULT-VALUE}).")
    private int queueCapacity;

    @Option(names = "--max-texts", defaultValue = "${env:CONTINUA_MAX_TEXTS:-64}",
            description = "Most texts per request before 413 (env CONTINUA_MAX_TEXTS, default ${DEFAULT-VALUE}).")
    private int maxTexts;

    @Option(names = "--max-text-chars", defaultValue = "${env:CONTINUA_MAX_TEXT_CHARS:-10000}",
            description = "Most characters in one text, refused (413) before it is tokenized (env CONTINUA_MAX_TEXT_CHARS, "
                    + "default ${DEFAULT-VALUE}).")
    private int maxTextChars;

    @Option(names = "--top-k", defaultValue = "${env:CONTINUA_TOP_K:-5}",
            description = "Labels listed per prediction (env CONTINUA_TOP_K, default ${DEFAULT-VALUE}).")
    private int topK;

    @Option(names = "--max-tokens", defaultValue = "${env:CONTINUA_MAX_TOKENS:-128}",
            description = "Tokenizer limit; longer texts are truncated and flagged (env CONTINUA_MAX_TOKENS, "
                    + "default ${DEFAULT-VALUE}).")
    private int maxTokens;

    @Option(names = "--precision", defaultValue = "${env:CONTINUA_PRECISION:-fp32}",
            description = {"The base's matrix products: fp32, or bf16 (about 1.5x faster where the CPU has native",
                "bfloat16, worst cosine about 0.99993 against fp32) (env CONTINUA_PRECISION, default ${DEFAULT-VALUE})."})
    private String precision;

    @Override
    public Integer call() throws InterruptedException {
        ServingConfig config = new ServingConfig(cluster.kafka(), cluster.topics(), registryUrl, registryToken, alias,
                "0.0.0.0", httpPort, maxBatch, maxBatchTokens, maxWait, queueCapacity, maxTexts, maxTextChars, topK,
                maxTokens, 4, NativeCache.dir().resolve("serving"), "continua-serving", true, Precision.parse(precision),
                deltaKeys.signatures());
        Vertx vertx = Vertx.vertx();
        ServingService serving = ServingService.start(config, PretrainedEncoder.allMiniLmL6V2(), vertx);
        CountDownLatch stopped = OnShutdown.close("serving", serving, vertx::close);
        System.out.println("Serving ready on " + serving.url());
        stopped.await();
        return 0;
    }
}
