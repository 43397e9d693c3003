package io.continua.ingest;

import io.continua.ingest.http.ExamplesPublisher;
import io.continua.ingest.http.ExamplesUpload;
import io.continua.ingest.http.IngestHttpServer;
import io.continua.ingest.stats.DomainStats;
import io.continua.ingest.stats.StatsStore;
import io.continua.ingest.topology.IngestTopology;
import io.continua.ingest.validate.ExampleValidator;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.service.lifecycle.Resources;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest service: the Kafka Streams topology (exactly-once v2) and its HTTP endpoint for
 * per-domain statistics, health, readiness and Prometheus metrics.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private final IngestConfig config;
    private final Resources resources = new Resources("ingest");
    private final KafkaStreams streams;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge domainCounts;
    private final IngestHttpServer http;

    private IngestService(IngestConfig config, Vertx vertx) {
        this.config = config;
        try {
            resources.add("metrics", metrics::close);
            this.streams = new KafkaStreams(IngestTopology.build(config), streamsProperties(config));
            // Leave the group, so a successor does not wait out the session timeout for partitions.
            resources.add("streams", () -> streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)));
            streams.setUncaughtExceptionHandler(error -> {
                log.error("Ingest stream thread failed; replacing it", error);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.setStateListener((now, before) -> log.info("Ingest streams {} -> {}", before, now));
            resources.add("streams metrics", new KafkaStreamsMetrics(streams)).bindTo(metrics);
            this.domainCounts = MultiGauge.builder("continua_ingest_examples")
                    .description("Examples per domain and outcome since the start of the stream").register(metrics);
            streams.start();
            ExamplesPublisher publisher = resources.add("examples publisher", new ExamplesPublisher(config.kafka(),
                    config.topics().examples(), config.applicationId()));
            this.http = IngestHttpServer.start(vertx, config.host(), config.httpPort(), this,
                    new ExamplesUpload(new ExampleValidator(config)), publisher);
            resources.add("http server", http::close);
        } catch (RuntimeException | Error e) {
            resources.close();
            throw e;
        }
        log.info("Ingest reading {} with stats on http://127.0.0.1:{}", config.topics().examples(), http.port());
    }

    public static IngestService start(IngestConfig config, Vertx vertx) {
        return new IngestService(config, vertx);
    }

    public boolean isRunning() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Waits until the topology runs (partitions assigned, state restored). */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isRunning()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Ingest did not start within " + timeout + " (state "
                        + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    public int httpPort() {
        return http.port();
    }

    public IngestConfig config() {
        return config;
    }

    public Optional<DomainStats> stats(String domain) {
        return store().map(store -> store.get(domain)).map(DomainStats::fromJson);
    }

    public Map<String, DomainStats> allStats() {
        Map<String, DomainStats> all = new TreeMap<>();
        store().ifPresent(store -> {
            try (KeyValueIterator<String, String> entries = store.all()) {
                entries.forEachRemaining(entry -> all.put(entry.key, DomainStats.fromJson(entry.value)));
            }
        });
        return all;
    }

    /** The Prometheus exposition of this service's metrics, refreshed from the stats store. */
    public String scrapeMetrics() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        allStats().forEach((domain, stats) -> {
            rows.add(MultiGauge.Row.of(Tags.of("domain", domain, "outcome", "accepted"), stats.acceptedCount()));
            rows.add(MultiGauge.Row.of(Tags.of("domain", domain, "outcome", "rejected"), stats.rejectedCount()));
            rows.add(MultiGauge.Row.of(Tags.of("domain", domain, "outcome", "duplicate"), stats.duplicateCount()));
            rows.add(MultiGauge.Row.of(Tags.of("domain", domain, "outcome", "correction"), stats.correctionCount()));
        });
        domainCounts.register(rows, true);
        return metrics.scrape();
    }

    private Optional<ReadOnlyKeyValueStore<String, String>> store() {
        if (!isRunning()) {
            return Optional.empty();
        }
        try {
            return Optional.of(streams.store(StoreQueryParameters.fromNameAndType(StatsStore.NAME,
                    QueryableStoreTypes.keyValueStore())));
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
    }

    /** The Kafka Streams settings of this service (exactly-once v2, state under the data directory). */
    public static Properties streamsProperties(IngestConfig config) {
        Properties props = config.kafka().properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // A Confluent record's schema id may wait for a registry that does not answer, for up to RETRY_FOR:
        // the transaction it is part of must outlive that, or the wait itself would abort it.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                Long.toString(ConfluentSchemas.RETRY_FOR.multipliedBy(3).toMillis()));
        // Internal topics and stores keep their names across releases: state survives upgrades.
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        return props;
    }

    @Override
    public void close() {
        resources.close();
        log.info("Ingest stopped");
    }
}
