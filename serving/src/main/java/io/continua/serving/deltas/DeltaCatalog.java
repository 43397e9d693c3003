package io.continua.serving.deltas;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.errors.ServiceException.Kind;
import io.continua.schemas.kafka.DeltaLog;
import io.continua.schemas.registry.RolloutMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which delta each domain serves. It learns versions and alias moves from the {@code deltas} log;
 * when the served alias moves, it loads the new version in the background and swaps it in with one
 * atomic reference change. A load that fails (registry down, bad checksum) keeps the old delta
 * serving and is retried with exponential backoff for as long as the alias points there.
 */
public final class DeltaCatalog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeltaCatalog.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final String servedAlias;
    private final VersionLoader loader;
    private final int pinnedCapacity;
    private final Map<String, DomainDeltas> domains = new HashMap<>();
    private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
    /** Per domain, a candidate load in flight ({@link #LOADING}), or when one may be tried again after a failure. */
    private final Map<String, Long> candidateLoads = new ConcurrentHashMap<>();
    private static final long LOADING = Long.MIN_VALUE;
    private final ScheduledExecutorService loads = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "delta-loader");
        thread.setDaemon(true);
        return thread;
    });
    private final Counter swaps;
    private final Counter failedLoads;
    private final Timer swapDuration;

    public DeltaCatalog(String servedAlias, VersionLoader loader, int pinnedCapacity, MeterRegistry metrics) {
        this.servedAlias = servedAlias;
        this.loader = loader;
        this.pinnedCapacity = pinnedCapacity;
        this.swaps = Counter.builder("continua_serving_swaps").description("Served deltas swapped in")
                .register(metrics);
        this.failedLoads = Counter.builder("continua_serving_failed_loads")
                .description("Delta loads that failed and will be retried").register(metrics);
        this.swapDuration = Timer.builder("continua_serving_swap_duration")
                .description("From seeing an alias move to serving its version").publishPercentiles(0.5, 0.99)
                .register(metrics);
        Gauge.builder("continua_serving_loaded_deltas", this, DeltaCatalog::loadedCount)
                .description("Deltas held in memory (served and pinned)").register(metrics);
    }

    /** Applies one record of the deltas log (called in log order by the log follower). */
    public void apply(String key, SpecificRecord record) {
        if (record instanceof DeltaVersion version) {
            synchronized (this) {
                domain(version.getDomain()).versions.put(version.getVersion(), version);
            }
        } else if (record instanceof AliasPointer pointer && !DeltaLog.isAliasHistory(key)) {
            aliasMoved(pointer);
        } else if (record instanceof DomainConfig config) {
            // Kept apart from the domains: a domain configured but without versions is still unknown here.
            rollouts.put(config.getDomain(), new Rollout(RolloutMode.of(config.getRolloutMode()),
                    config.getCanaryShare()));
            preloadCandidate(config.getDomain());
        }
    }

    /**
     * A candidate being tried on live traffic: its version, and how (shadow or canary, with the canary's share of
     * requests). Empty when the domain tries none, or its candidate is what the served alias points at.
     */
    public record Trial(RolloutMode mode, int version, double canaryShare) {
    }

    /** A domain's rollout settings, from its configuration. */
    private record Rollout(RolloutMode mode, double canaryShare) {
        static final Rollout NONE = new Rollout(RolloutMode.NONE, 0);
    }

    public synchronized Optional<Trial> trial(String domain) {
        Rollout rollout = rollouts.getOrDefault(domain, Rollout.NONE);
        return existing(domain).flatMap(deltas -> {
            Integer candidate = deltas.aliases.get(RolloutMode.CANDIDATE);
            Integer served = deltas.aliases.get(servedAlias);
            DeltaVersion registered = candidate == null ? null : deltas.versions.get(candidate);
            if (rollout.mode() == RolloutMode.NONE || registered == null || registered.getDeleted()
                    || candidate.equals(served)) {
                return Optional.empty();
            }
            return Optional.of(new Trial(rollout.mode(), candidate, rollout.canaryShare()));
        });
    }

    /**
     * The candidate's delta if it is loaded now, with a reference taken for the caller; empty otherwise (it is
     * then loaded in the background). Shadow scoring never waits for a load.
     */
    public Optional<LoadedDelta> acquireLoaded(String domain, int version) {
        Optional<DomainDeltas> deltas = existing(domain);
        if (deltas.isEmpty()) {
            return Optional.empty();
        }
        LoadedDelta served = servedAt(deltas.get(), version);
        if (served != null) {
            return Optional.of(served);
        }
        LoadedDelta cached = cachedPinned(deltas.get(), version);
        if (cached == null) {
            preloadCandidate(domain);
        }
        return Optional.ofNullable(cached);
    }

    /**
     * Loads the domain's candidate in the background, so that trying it never waits for a load: one load at a time
     * per domain, and after a failure none again for {@link #LAST_RETRY} (the loader thread also swaps production).
     */
    private void preloadCandidate(String domain) {
        Optional<Trial> trial = trial(domain);
        if (trial.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        boolean[] start = {false};
        candidateLoads.compute(domain, (key, state) -> {
            if (state != null && (state == LOADING || now < state)) {
                return state;
            }
            start[0] = true;
            return LOADING;
        });
        if (!start[0]) {
            return;
        }
        int version = trial.get().version();
        acquire(domain, OptionalInt.of(version)).whenComplete((loaded, error) -> {
            if (loaded != null) {
                loaded.release();
                candidateLoads.remove(domain);
            } else {
                candidateLoads.put(domain, System.nanoTime() + LAST_RETRY.toNanos());
                log.warn("Cannot load candidate {}/{} ({}); trying it again in {} s", domain, version,
                        error.toString(), LAST_RETRY.toSeconds());
            }
        });
    }

    private void aliasMoved(AliasPointer pointer) {
        DomainDeltas deltas;
        synchronized (this) {
            deltas = domain(pointer.getDomain());
            if (pointer.getVersion() == null) {
                deltas.aliases.remove(pointer.getAlias());
            } else {
                deltas.aliases.put(pointer.getAlias(), pointer.getVersion());
            }
        }
        if (pointer.getAlias().equals(RolloutMode.CANDIDATE)) {
            preloadCandidate(pointer.getDomain());
        }
        if (pointer.getAlias().equals(servedAlias) && pointer.getVersion() != null) {
            deltas.wanted = pointer.getVersion();
            deltas.wantedSince = System.nanoTime();
            int wanted = pointer.getVersion();
            loads.execute(() -> loadServed(pointer.getDomain(), wanted, FIRST_RETRY));
        }
    }

    private void loadServed(String domain, int version, Duration retryAfter) {
        DomainDeltas deltas = existing(domain).orElseThrow();
        LoadedDelta current = deltas.served.get();
        if (deltas.wanted != version || current != null && current.version() == version) {
            return;
        }
        Optional<DeltaVersion> registered = registered(domain, version);
        try {
            if (registered.isEmpty()) {
                throw new IllegalStateException("the log has no version " + version);
            }
            LoadedDelta loaded = loader.load(registered.get());
            if (deltas.wanted != version) {
                loaded.retire();
                return;
            }
            LoadedDelta previous = deltas.served.getAndSet(loaded);
            if (previous != null) {
                previous.retire();
            }
            swaps.increment();
            swapDuration.record(Duration.ofNanos(System.nanoTime() - deltas.wantedSince));
            log.info("Serving {}/{} ({} labels) under {}, was {}", domain, version, loaded.labels().size(), servedAlias,
                    previous == null ? "none" : previous.version());
        } catch (RuntimeException e) {
            failedLoads.increment();
            log.warn("Cannot load {}/{} ({}); still serving {}; retrying in {} ms", domain, version, e.getMessage(),
                    current == null ? "nothing" : current.version(), retryAfter.toMillis());
            Duration doubled = retryAfter.multipliedBy(2);
            Duration next = doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
            loads.schedule(() -> loadServed(domain, version, next), retryAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A reference to the delta a request should run on; the caller must {@link LoadedDelta#release()}
     * it. The served delta, or a pinned version already loaded, comes back completed; a pinned version
     * not yet loaded is loaded on the loader thread, never on the caller's (nor the inference) thread.
     * Unknown domains and versions fail at once.
     *
     * @param version a pinned version, or empty for what the served alias points at
     */
    public CompletableFuture<LoadedDelta> acquire(String domain, OptionalInt version) {
        try {
            DomainDeltas deltas = existing(domain).orElseThrow(() -> unknownDomain(domain));
            if (version.isEmpty()) {
                return CompletableFuture.completedFuture(acquireServed(domain, deltas));
            }
            LoadedDelta served = servedAt(deltas, version.getAsInt());
            return served != null ? CompletableFuture.completedFuture(served)
                    : acquirePinned(domain, deltas, version.getAsInt());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The served delta with a reference taken for the caller, if it is that version; null otherwise. */
    private static LoadedDelta servedAt(DomainDeltas deltas, int version) {
        LoadedDelta served = deltas.served.get();
        return served != null && served.version() == version && served.tryAcquire() ? served : null;
    }

    private LoadedDelta acquireServed(String domain, DomainDeltas deltas) {
        while (true) {
            LoadedDelta served = deltas.served.get();
            if (served == null) {
                throw new NoDeltaException(Kind.CONFLICT, "no_delta", "Domain '" + domain + "' has no " + servedAlias
                        + " delta loaded yet" + (deltas.versions.isEmpty() ? "" : "; it is being loaded"));
            }
            if (served.tryAcquire()) {
                return served;
            }
        }
    }

    private CompletableFuture<LoadedDelta> acquirePinned(String domain, DomainDeltas deltas, int version) {
        DeltaVersion registered = registered(domain, version).orElseThrow(() -> new NoDeltaException(Kind.NOT_FOUND,
                "unknown_version", "Domain '" + domain + "' has no version " + version));
        if (registered.getDeleted()) {
            throw new NoDeltaException(Kind.GONE, "version_deleted", "Version " + version + " of '" + domain + "' is deleted");
        }
        LoadedDelta cached = cachedPinned(deltas, version);
        return cached != null ? CompletableFuture.completedFuture(cached)
                : CompletableFuture.supplyAsync(() -> loadPinned(deltas, registered), loads);
    }

    /** A loaded pinned version with a reference taken for the caller, or null. */
    private static LoadedDelta cachedPinned(DomainDeltas deltas, int version) {
        synchronized (deltas.pinned) {
            LoadedDelta cached = deltas.pinned.get(version);
            return cached != null && cached.tryAcquire() ? cached : null;
        }
    }

    /** On the loader thread: loads a pinned version (unless a request before this one did), keeps it, takes a reference. */
    private LoadedDelta loadPinned(DomainDeltas deltas, DeltaVersion registered) {
        LoadedDelta cached = cachedPinned(deltas, registered.getVersion());
        if (cached != null) {
            return cached;
        }
        LoadedDelta loaded = loader.load(registered);
        synchronized (deltas.pinned) {
            // The reference first: the one just loaded is never the one evicted (even with no room for pinned ones).
            loaded.tryAcquire();
            deltas.pinned.put(registered.getVersion(), loaded);
            Iterator<Map.Entry<Integer, LoadedDelta>> eldest = deltas.pinned.entrySet().iterator();
            while (deltas.pinned.size() > Math.max(1, pinnedCapacity)) {
                Map.Entry<Integer, LoadedDelta> entry = eldest.next();
                if (entry.getKey() != registered.getVersion()) {
                    entry.getValue().retire();
                    eldest.remove();
                }
            }
            return loaded;
        }
    }

    /** The version an alias points at, for requests that name an alias. */
    public synchronized OptionalInt resolve(String domain, String alias) {
        DomainDeltas deltas = existing(domain).orElseThrow(() -> unknownDomain(domain));
        Integer version = deltas.aliases.get(alias);
        if (version == null) {
            throw new NoDeltaException(Kind.NOT_FOUND, "unknown_alias", "Domain '" + domain + "' has no alias '" + alias + "'");
        }
        return OptionalInt.of(version);
    }

    /** Whether the domain serves a delta now under the served alias. */
    public synchronized boolean serves(String domain) {
        return existing(domain).map(deltas -> deltas.served.get() != null).orElse(false);
    }

    public String servedAlias() {
        return servedAlias;
    }

    public synchronized boolean knows(String domain) {
        return domains.containsKey(domain);
    }

    public synchronized List<String> domains() {
        return new ArrayList<>(new TreeMap<>(domains).keySet());
    }

    /** What a domain serves: the active version, the loaded ones and its aliases. */
    public synchronized Map<String, Object> status(String domain) {
        DomainDeltas deltas = existing(domain).orElseThrow(() -> unknownDomain(domain));
        LoadedDelta served = deltas.served.get();
        List<Integer> loaded = new ArrayList<>();
        if (served != null) {
            loaded.add(served.version());
        }
        synchronized (deltas.pinned) {
            deltas.pinned.keySet().stream().filter(version -> !loaded.contains(version)).forEach(loaded::add);
        }
        Map<String, Object> status = new TreeMap<>();
        status.put("domain", domain);
        status.put("alias", servedAlias);
        status.put("activeVersion", served == null ? null : served.version());
        status.put("wantedVersion", deltas.wanted == 0 ? null : deltas.wanted);
        status.put("loadedVersions", loaded);
        status.put("aliases", new TreeMap<>(deltas.aliases));
        status.put("labels", served == null ? List.of() : served.labels());
        return status;
    }

    /** Whether every domain serves the version its alias points at (no swap pending). */
    public synchronized boolean settled() {
        return domains.values().stream().allMatch(deltas -> deltas.wanted == 0
                || deltas.served.get() != null && deltas.served.get().version() == deltas.wanted);
    }

    private synchronized Optional<DeltaVersion> registered(String domain, int version) {
        return existing(domain).map(deltas -> deltas.versions.get(version));
    }

    private synchronized Optional<DomainDeltas> existing(String domain) {
        return Optional.ofNullable(domains.get(domain));
    }

    private DomainDeltas domain(String domain) {
        return domains.computeIfAbsent(domain, name -> new DomainDeltas());
    }

    private synchronized double loadedCount() {
        int count = 0;
        for (DomainDeltas deltas : domains.values()) {
            count += deltas.served.get() == null ? 0 : 1;
            synchronized (deltas.pinned) {
                count += deltas.pinned.size();
            }
        }
        return count;
    }

    private static NoDeltaException unknownDomain(String domain) {
        return new NoDeltaException(Kind.NOT_FOUND, "unknown_domain", "No domain '" + domain + "' is registered");
    }

    @Override
    public void close() throws InterruptedException {
        loads.shutdownNow();
        loads.awaitTermination(10, TimeUnit.SECONDS);
        synchronized (this) {
            for (DomainDeltas deltas : domains.values()) {
                LoadedDelta served = deltas.served.getAndSet(null);
                if (served != null) {
                    served.retire();
                }
                synchronized (deltas.pinned) {
                    deltas.pinned.values().forEach(LoadedDelta::retire);
                    deltas.pinned.clear();
                }
            }
        }
    }
}
