package io.continua.serving;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.serving.DjlEncoder;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.schemas.kafka.DeltaLogFollower;
import io.continua.schemas.kafka.SignedTopicFollower;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.HttpServers;
import io.continua.service.lifecycle.Resources;
import io.continua.serving.deltas.ArtifactSource;
import io.continua.serving.deltas.DeltaCatalog;
import io.continua.serving.deltas.DeltaLoader;
import io.continua.serving.deltas.LoadedDelta;
import io.continua.serving.http.ServingApi;
import io.continua.serving.inference.Batcher;
import io.continua.serving.inference.Classifier;
import io.continua.serving.inference.Predictions;
import io.continua.serving.kafka.PredictionRequestConsumer;
import io.continua.serving.kafka.PredictionResults;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving service: the encoder served through DJL (one model per delta layout in service, each
 * loaded once), the catalog of served deltas kept in step with the {@code deltas} log, dynamic
 * batching across domains, the HTTP API and the Kafka request path.
 * Ready once the log is read and every served alias's delta is loaded.
 */
public final class ServingService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServingService.class);

    private final Resources resources = new Resources("serving");
    private final PrometheusMeterRegistry metrics;
    private final DeltaCatalog catalog;
    private final DeltaLogFollower follower;
    private final Batcher<LoadedDelta> batcher;
    private final PredictionRequestConsumer requests;
    private final HttpServer server;

    private ServingService(ServingConfig config, PretrainedEncoder pretrained, ArtifactSource artifacts, Vertx vertx)
            throws InterruptedException {
        try {
            this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.add("metrics", metrics::close);
            DjlEncoder encoder = resources.add("encoder", DjlEncoder.open(pretrained, config.exportDir(),
                    config.precision()));
            TextTokenizer tokenizer = resources.add("tokenizer", new TextTokenizer(pretrained.tokenizerJson(),
                    config.maxTokens()));
            this.catalog = resources.add("delta catalog", new DeltaCatalog(config.alias(),
                    new DeltaLoader(artifacts, encoder, tokenizer), config.pinnedVersions(), metrics));
            this.batcher = resources.add("batcher", new Batcher<>(new Classifier(encoder,
                    config.topK()), tokenizer, config.maxBatch(), config.maxBatchTokens(), config.maxWait(),
                    config.queueCapacity(), metrics));
            this.follower = resources.add("deltas follower", new DeltaLogFollower(config.kafka(),
                    config.topics().deltas(), config.deltaSignatures(), SignedTopicFollower.Refusals.NONE,
                    catalog::apply));
            follower.bindTo(metrics);
            follower.awaitCaughtUp(Duration.ofSeconds(120));
            Predictions predictions = new Predictions(catalog, batcher, config.maxTextsPerRequest(),
                    config.maxTextChars(), config.maxTokens(), config.shadowBudget(), metrics);
            // Closed after both paths that write to it.
            PredictionResults results = config.consumeRequests() || config.httpResults()
                    ? resources.add("prediction results", new PredictionResults(config.kafka(),
                    config.topics().predictResults(), config.outputFormat(), config.confluentSchemas(), metrics))
                    : null;
            this.requests = config.consumeRequests() ? resources.add("request consumer",
                    new PredictionRequestConsumer(config.kafka(), config.groupId(), config.topics(),
                            config.inputFormats(), config.confluentSchemas(), results, predictions, metrics)) : null;
            this.server = HttpServers.listen(vertx, ServingApi.router(vertx, config, catalog, predictions,
                    Optional.ofNullable(config.httpResults() ? results : null), metrics, this::isReady,
                    metrics::scrape), config.host(), config.httpPort());
            resources.add("http server", () -> HttpServers.close(server));
        } catch (RuntimeException | InterruptedException | Error e) {
            resources.close();
            throw e;
        }
        log.info("Serving on http://127.0.0.1:{} ({} domains, alias {})", server.actualPort(), catalog.domains().size(),
                config.alias());
    }

    /** Serving that fetches artifacts from the registry at {@code config.registryUrl()}. */
    public static ServingService start(ServingConfig config, PretrainedEncoder encoder, Vertx vertx)
            throws InterruptedException {
        RegistryClient registry = new RegistryClient(config.registryUrl(), config.registryToken(),
                Duration.ofSeconds(30));
        return new ServingService(config, encoder, registry::artifact, vertx);
    }

    /** Serving with another source of artifacts (tests use it to hand out tampered bytes). */
    public static ServingService start(ServingConfig config, PretrainedEncoder encoder, ArtifactSource artifacts,
                                       Vertx vertx) throws InterruptedException {
        return new ServingService(config, encoder, artifacts, vertx);
    }

    public boolean isReady() {
        return follower.isCaughtUp() && follower.isFollowing() && catalog.settled() && batcher.isRunning()
                && (requests == null || requests.isRunning());
    }

    public int httpPort() {
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort();
    }

    public DeltaCatalog catalog() {
        return catalog;
    }

    @Override
    public void close() {
        resources.close();
        log.info("Serving stopped");
    }
}
