package io.continua.registry;

import io.continua.peft.artifact.DeltaArtifactReader;
import io.continua.peft.artifact.InvalidArtifactException;
import io.continua.peft.artifact.LoadedArtifact;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.auth.AdminTokenFile;
import io.continua.registry.auth.ApiToken;
import io.continua.registry.auth.Authenticator;
import io.continua.registry.auth.Role;
import io.continua.registry.blob.ArtifactStore;
import io.continua.registry.http.RegistryApi;
import io.continua.registry.lineage.LineageCheck;
import io.continua.registry.log.DeltaLogDeadLetters;
import io.continua.registry.live.LiveAccuracy;
import io.continua.registry.log.DeltaLogWriter;
import io.continua.registry.schemas.SchemaState;
import io.continua.registry.schemas.SchemaSubjects;
import io.continua.registry.schemas.SchemaWrites;
import io.continua.registry.state.RegistryState;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DeltaLogFollower;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.SignedTopicFollower;
import io.continua.schemas.kafka.SignedTopicFollower.Refusals;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.schemas.serde.UndecodableRecordException;
import io.continua.service.HttpServers;
import io.continua.service.lifecycle.Resources;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry: its view of the {@code deltas} log (replayed at start, then followed), its blob
 * store, its single writer thread, and its HTTP API. A read-only instance (or one fenced by a newer
 * writer) serves every read and refuses changes with 409 {@code read_only}.
 */
public final class RegistryService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryService.class);

    private final RegistryConfig config;
    private final RegistryState state = new RegistryState();
    private final SchemaState schemas;
    private final LiveAccuracy live;
    private final ArtifactStore artifacts;
    private final DeltaArtifactReader reader;
    private final Authenticator authenticator;
    private final Resources resources = new Resources("registry");
    private final PrometheusMeterRegistry metrics;
    /** Changes run here one at a time, off the event loop: a pool of one thread. */
    private final WorkerExecutor writer;
    private final DeltaLogFollower tail;
    private final LineageCheck lineage;
    private final RegistryWrites writes;
    private final HttpServer server;
    private final String generatedAdminToken;
    private static final Duration ARTIFACT_CHECK_INTERVAL = Duration.ofSeconds(5);
    /** Numbers the instances of this JVM: Vert.x shares worker pools by name, and two registries must not. */
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private volatile List<String> missingArtifacts = List.of();

    private RegistryService(RegistryConfig config, PretrainedEncoder encoder, Vertx vertx) throws InterruptedException {
        this.config = config;
        this.schemas = new SchemaState(new SchemaSubjects(config.topics()));
        this.reader = new DeltaArtifactReader(encoder.fingerprint(), encoder.architecture(), config.maxArtifactBytes());
        this.generatedAdminToken = config.tokens().isEmpty() ? AdminTokenFile.readOrCreate(config.dir()) : null;
        this.authenticator = new Authenticator(config.tokens().isEmpty()
                ? List.of(new ApiToken("admin", Role.ADMIN, generatedAdminToken)) : config.tokens());
        String pools = "registry-" + INSTANCES.incrementAndGet();
        try {
            this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.add("metrics", metrics::close);
            this.writer = vertx.createSharedWorkerExecutor(pools + "-writer", 1);
            resources.add("writer pool", writer::close);
            this.lineage = resources.add("lineage check", new LineageCheck(config.kafka(),
                    config.topics().examplesAccepted()));
            // A new writer fences the old one first, then reads the log to its end, then writes: nothing the
            // old writer commits can slip in between the view and the next version number.
            DeltaLogWriter deltasWriter = config.readOnly() ? null : resources.add("deltas writer", new DeltaLogWriter(
                    config.kafka(), config.topics().deltas(), config.topics().deltaBlobs(), config.transactionalId(),
                    config.deltaSignatures()));
            Refusals refusals = config.readOnly() ? Refusals.NONE : resources.add("dead letters",
                    new DeltaLogDeadLetters(config.kafka(), config.topics().examplesRejected()));
            // The local directory is only a cache of the artifact topic: it may be deleted at any time.
            this.artifacts = resources.add("artifact store", new ArtifactStore(config.kafka(),
                    config.topics().deltaBlobs(), config.deltaSignatures(), refusals,
                    config.dir().resolve("artifact-cache")));
            this.tail = resources.add("deltas follower", new DeltaLogFollower(config.kafka(),
                    config.topics().deltas(), config.deltaSignatures(), refusals, (key, record) -> {
                        state.apply(key, record);
                        schemas.apply(key, record);
                    }));
            artifacts.awaitCaughtUp(Duration.ofSeconds(120));
            tail.awaitCaughtUp(Duration.ofSeconds(120));
            this.writes = new RegistryWrites(state, tail, artifacts, reader, deltasWriter, metrics,
                    config.rolloutMaxTrial());
            resources.add("writes", writes::close);
            if (deltasWriter != null) {
                writes.adoptLocalArchives(config.dir().resolve("blobs"));
                new SchemaWrites(schemas).recordShipped(writes);
            }
            tail.bindTo(metrics);
            this.live = new LiveAccuracy(config.liveConfidence(), config.liveDetail(), Clock.systemUTC(), metrics);
            // Live accuracy is there when it comes: the registry is ready without it.
            SignedTopicFollower metricsFollower = resources.add("metrics follower", new SignedTopicFollower(
                    config.kafka(), config.topics().metrics(), DeltaLogSignatures.NONE, Refusals.NONE,
                    this::applyMetrics));
            Gauge.builder("continua_registry_domains", state, s -> s.domains().size())
                    .description("Domains the registry knows").register(metrics);
            Gauge.builder("continua_registry_missing_artifacts", this,
                    service -> service.missingArtifacts.size())
                    .description("Live versions whose archives the artifact topic does not hold").register(metrics);
            this.server = HttpServers.listen(vertx, RegistryApi.router(vertx, this), config.host(),
                    config.httpPort());
            resources.add("http server", () -> HttpServers.close(server));
            checkArtifacts();
            resources.add("artifact check", checkPeriodically(vertx, pools + "-artifact-check"));
            if (deltasWriter != null) {
                resources.add("rollouts", rolloutsPeriodically(vertx, new RolloutController(state, live),
                        metricsFollower::isCaughtUp));
            }
        } catch (RuntimeException | InterruptedException | Error e) {
            resources.close();
            throw e;
        }
        log.info("Registry on http://127.0.0.1:{} ({}; {} domains from {}){}", server.actualPort(),
                config.readOnly() ? "read-only" : "writer", state.domains().size(), config.topics().deltas(),
                generatedAdminToken != null ? "; admin token in " + AdminTokenFile.of(config.dir()) : "");
    }

    /** Applies one record of the {@code metrics} topic; one that does not decode is logged and skipped. */
    private void applyMetrics(ConsumerRecord<String, byte[]> record) {
        try {
            DomainMetrics window = RecordSerdes.domainMetrics().deserialize(record.topic(), record.value());
            if (window != null) {
                live.apply(window);
            }
        } catch (UndecodableRecordException e) {
            log.warn("Skipping record {}-{}@{} of the metrics topic: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    /**
     * Checks the artifacts every {@link #ARTIFACT_CHECK_INTERVAL} on a pool of its own, off the event loop: a lost
     * or hung disk is when a file check can block. A check still running when the next is due skips that one.
     */
    private AutoCloseable checkPeriodically(Vertx vertx, String poolName) {
        WorkerExecutor pool = vertx.createSharedWorkerExecutor(poolName, 1);
        AtomicBoolean checking = new AtomicBoolean();
        long timer = vertx.setPeriodic(ARTIFACT_CHECK_INTERVAL.toMillis(), id -> {
            if (checking.compareAndSet(false, true)) {
                pool.executeBlocking(() -> {
                    checkArtifacts();
                    return null;
                }, false).onComplete(done -> checking.set(false));
            }
        });
        return () -> {
            vertx.cancelTimer(timer);
            pool.close();
        };
    }

    /**
     * Applies automatic rollout policies every {@code rollout.interval} on the writer thread, once the metrics topic
     * has been read to its end (a partial replay would decide on part of the record); a round still running skips one.
     */
    private AutoCloseable rolloutsPeriodically(Vertx vertx, RolloutController rollouts, BooleanSupplier liveRead) {
        AtomicBoolean running = new AtomicBoolean();
        long timer = vertx.setPeriodic(config.rolloutInterval().toMillis(), id -> {
            if (writes.canWrite() && liveRead.getAsBoolean() && running.compareAndSet(false, true)) {
                write(rollouts::apply).onComplete(done -> {
                    running.set(false);
                    if (done.failed()) {
                        log.warn("A rollout round failed: {}", done.cause().toString());
                    }
                });
            }
        });
        return () -> vertx.cancelTimer(timer);
    }

    /** Replays the log, starts writing (unless read-only) and listens; returns once ready. */
    public static RegistryService start(RegistryConfig config, PretrainedEncoder encoder, Vertx vertx)
            throws InterruptedException {
        return new RegistryService(config, encoder, vertx);
    }

    public int httpPort() {
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort();
    }

    /**
     * Ready once the log is replayed, while its follower applies it (not while it retries after a
     * failure), and while the blob store holds the archive of every live version.
     */
    public boolean isReady() {
        return tail.isCaughtUp() && tail.isFollowing() && artifacts.isFollowing() && missingArtifacts.isEmpty();
    }

    /**
     * Notes the live versions whose archives the artifact topic does not hold whole (chunks deleted
     * or compacted away by hand); runs every {@link #ARTIFACT_CHECK_INTERVAL}.
     */
    private void checkArtifacts() {
        try {
            List<String> missing = new ArrayList<>();
            for (String domain : state.domains()) {
                for (DeltaVersion version : state.versions(domain)) {
                    if (!version.getDeleted() && !artifacts.contains(version.getSha256())) {
                        missing.add(domain + "/" + version.getVersion());
                    }
                }
            }
            if (!missing.equals(missingArtifacts)) {
                if (missing.isEmpty()) {
                    log.info("Every live version's archive is readable again");
                } else {
                    log.warn("Not ready: the artifact topic lacks the archives of {} live versions: {}", missing.size(),
                            missing.size() > 10 ? missing.subList(0, 10) + " ..." : missing);
                }
            }
            missingArtifacts = List.copyOf(missing);
        } catch (RuntimeException e) {
            log.warn("Cannot check the artifacts: {}", e.getMessage());
        }
    }

    public boolean canWrite() {
        return writes.canWrite();
    }

    public RegistryConfig config() {
        return config;
    }

    public RegistryState state() {
        return state;
    }

    /** Live (prequential) accuracy of every version, from the {@code metrics} topic. */
    public LiveAccuracy live() {
        return live;
    }

    /** The schemas API's view of the log. */
    public SchemaState schemas() {
        return schemas;
    }

    public ArtifactStore artifacts() {
        return artifacts;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** Validates an uploaded archive; a failure is a 422 naming what is wrong. */
    public LoadedArtifact validate(byte[] archive, String declaredSha256) {
        try {
            LoadedArtifact artifact = reader.read(archive);
            if (declaredSha256 != null && !declaredSha256.equalsIgnoreCase(artifact.sha256())) {
                throw ServiceException.unprocessable("checksum_mismatch", "The archive's SHA-256 is " + artifact.sha256()
                        + ", the metadata declares " + declaredSha256);
            }
            return artifact;
        } catch (InvalidArtifactException e) {
            throw ServiceException.unprocessable("invalid_artifact", e.getMessage());
        }
    }

    /** Holds an upload's claimed lineage to the accepted topic as Kafka holds it (422 otherwise); blocking. */
    public void checkLineage(List<OffsetRange> ranges) {
        lineage.checkAgainstTopic(ranges);
    }

    /** Runs a change on the writer pool, one at a time, completing on the caller's Vert.x context. */
    public <T> Future<T> write(Function<RegistryWrites, T> change) {
        return writer.executeBlocking(() -> change.apply(writes), true);
    }

    @Override
    public void close() {
        resources.close();
        log.info("Registry stopped");
    }
}
