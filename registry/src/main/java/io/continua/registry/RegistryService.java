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
import io.continua.registry.log.DeltaLogWriter;
import io.continua.registry.state.RegistryState;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.DeltaLogFollower;
import io.continua.schemas.kafka.SignedTopicFollower.Refusals;
import io.continua.service.HttpServers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final ArtifactStore artifacts;
    private final DeltaArtifactReader reader;
    private final Authenticator authenticator;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExecutorService writerThread = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "registry-writer");
        thread.setDaemon(true);
        return thread;
    });
    private final DeltaLogFollower tail;
    private final LineageCheck lineage;
    /** The writer's dead letters of records it never applies (none on a read-only instance). */
    private final DeltaLogDeadLetters deadLetters;
    private final RegistryWrites writes;
    private final Vertx vertx;
    private final HttpServer server;
    private final String generatedAdminToken;
    private static final Duration ARTIFACT_CHECK_INTERVAL = Duration.ofSeconds(5);
    /** Looks at the blob store off the event loop: a lost or hung disk is when a file check can block. */
    private final ScheduledExecutorService artifactCheck = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "registry-artifact-check");
        thread.setDaemon(true);
        return thread;
    });
    private volatile List<String> missingArtifacts = List.of();

    private RegistryService(RegistryConfig config, PretrainedEncoder encoder, Vertx vertx) throws InterruptedException {
        this.config = config;
        this.vertx = vertx;
        this.reader = new DeltaArtifactReader(encoder.fingerprint(), encoder.architecture(), config.maxArtifactBytes());
        this.generatedAdminToken = config.tokens().isEmpty() ? AdminTokenFile.readOrCreate(config.dir()) : null;
        this.authenticator = new Authenticator(config.tokens().isEmpty()
                ? List.of(new ApiToken("admin", Role.ADMIN, generatedAdminToken)) : config.tokens());
        this.lineage = new LineageCheck(config.kafka(), config.topics().examplesAccepted());
        // A new writer fences the old one first, then reads the log to its end, then writes: nothing the
        // old writer commits can slip in between the view and the next version number.
        DeltaLogWriter writer = config.readOnly() ? null : new DeltaLogWriter(config.kafka(), config.topics().deltas(),
                config.topics().deltaBlobs(), config.transactionalId(), config.deltaSignatures());
        this.deadLetters = config.readOnly() ? null
                : new DeltaLogDeadLetters(config.kafka(), config.topics().examplesRejected());
        Refusals refusals = deadLetters == null ? Refusals.NONE : deadLetters;
        // The local directory is only a cache of the artifact topic: it may be deleted at any time.
        this.artifacts = new ArtifactStore(config.kafka(), config.topics().deltaBlobs(), config.deltaSignatures(),
                refusals, config.dir().resolve("artifact-cache"));
        this.tail = new DeltaLogFollower(config.kafka(), config.topics().deltas(), config.deltaSignatures(), refusals,
                state::apply);
        try {
            artifacts.awaitCaughtUp(Duration.ofSeconds(120));
            tail.awaitCaughtUp(Duration.ofSeconds(120));
        } catch (RuntimeException | InterruptedException e) {
            tail.close();
            artifacts.close();
            if (writer != null) {
                writer.close();
                deadLetters.close();
            }
            throw e;
        }
        this.writes = new RegistryWrites(state, tail, artifacts, writer, metrics);
        if (writer != null) {
            writes.adoptLocalArchives(config.dir().resolve("blobs"));
        }
        tail.bindTo(metrics);
        Gauge.builder("continua_registry_domains", state, s -> s.domains().size())
                .description("Domains the registry knows").register(metrics);
        Gauge.builder("continua_registry_missing_artifacts", this,
                service -> service.missingArtifacts.size())
                .description("Live versions whose archives the artifact topic does not hold").register(metrics);
        this.server = HttpServers.listen(vertx, RegistryApi.router(vertx, this), config.host(), config.httpPort());
        checkArtifacts();
        artifactCheck.scheduleWithFixedDelay(this::checkArtifacts, ARTIFACT_CHECK_INTERVAL.toMillis(),
                ARTIFACT_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Registry on http://127.0.0.1:{} ({}; {} domains from {}){}", server.actualPort(),
                config.readOnly() ? "read-only" : "writer", state.domains().size(), config.topics().deltas(),
                generatedAdminToken != null ? "; admin token in " + AdminTokenFile.of(config.dir()) : "");
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

    /** Runs a change on the writer thread, one at a time, completing on the caller's Vert.x context. */
    public <T> Future<T> write(java.util.function.Function<RegistryWrites, T> change) {
        Callable<T> task = () -> change.apply(writes);
        CompletableFuture<T> result = new CompletableFuture<>();
        writerThread.submit(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return Future.fromCompletionStage(result, vertx.getOrCreateContext());
    }

    @Override
    public void close() throws InterruptedException {
        HttpServers.close(server);
        artifactCheck.shutdownNow();
        writerThread.shutdown();
        writerThread.awaitTermination(30, TimeUnit.SECONDS);
        writes.close();
        tail.close();
        artifacts.close();
        if (deadLetters != null) {
            deadLetters.close();
        }
        lineage.close();
        metrics.close();
        log.info("Registry stopped");
    }
}
