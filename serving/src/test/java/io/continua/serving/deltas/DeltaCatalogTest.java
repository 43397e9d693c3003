package io.continua.serving.deltas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.serde.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog's reference counting, with a loader that makes deltas without a model: a delta is released only
 * when it is neither served nor pinned nor held by a request in flight, and a swap never serves a stale version.
 */
class DeltaCatalogTest {
    private static final String DOMAIN = "banking";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Set<Integer> released = ConcurrentHashMap.newKeySet();
    private final AtomicInteger loads = new AtomicInteger();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private volatile IntPredicate failing = version -> false;
    private DeltaCatalog catalog;

    @BeforeAll
    static void trustRecords() {
        AvroSerde.trustContinuaRecords();
    }

    @AfterEach
    void close() throws InterruptedException {
        catalog.close();
    }

    private DeltaCatalog catalog(int pinnedCapacity, VersionLoader loader) {
        catalog = new DeltaCatalog("production", loader, pinnedCapacity, metrics);
        for (int version = 1; version <= 4; version++) {
            catalog.apply(DOMAIN + "/" + version, version(version));
        }
        return catalog;
    }

    private LoadedDelta load(DeltaVersion version) {
        loads.incrementAndGet();
        if (failing.test(version.getVersion())) {
            throw new IllegalStateException("the archive is not there yet");
        }
        int number = version.getVersion();
        return new LoadedDelta(number, version.getLabels(), "lora", null, () -> released.add(number));
    }

    @Test
    void aRequestInFlightKeepsTheSwappedOutDeltaUntilItIsDone() throws Exception {
        catalog(4, this::load);
        promote(1);
        LoadedDelta inFlight = catalog.acquire(DOMAIN, OptionalInt.empty()).get(5, TimeUnit.SECONDS);
        assertThat(inFlight.version()).isEqualTo(1);

        promote(2);
        assertThat(served().version()).isEqualTo(2);
        assertThat(released).as("version 1 is still in use by the request").isEmpty();

        inFlight.release();
        assertThat(released).containsExactly(1);
        assertThat(catalog.settled()).isTrue();
    }

    @Test
    void aVersionThatFailsToLoadIsRetriedWhileThePreviousOneServes() throws Exception {
        catalog(4, this::load);
        promote(1);
        failing = version -> version == 2 && loads.get() < 4;

        catalog.apply(DOMAIN + "@production", alias(2));
        assertThat(catalog.settled()).isFalse();
        assertThat(served().version()).as("still serving while version 2 fails").isEqualTo(1);
        await().atMost(WAIT).until(() -> catalog.settled());
        assertThat(served().version()).isEqualTo(2);
        assertThat(metrics.counter("continua_serving_failed_loads").count()).isGreaterThanOrEqualTo(1);
        assertThat(released).containsExactly(1);
    }

    @Test
    void aVersionWhoseAliasMovedOnWhileItLoadedIsNeverServed() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch slowLoad = new CountDownLatch(1);
        catalog(4, version -> {
            if (version.getVersion() == 1) {
                loading.countDown();
                awaitOpen(slowLoad);
            }
            return load(version);
        });
        catalog.apply(DOMAIN + "@production", alias(1));
        assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        catalog.apply(DOMAIN + "@production", alias(2));
        slowLoad.countDown();

        await().atMost(WAIT).until(() -> catalog.settled());
        assertThat(served().version()).isEqualTo(2);
        assertThat(released).as("version 1 was loaded, then dropped unseen").containsExactly(1);
        assertThat(metrics.counter("continua_serving_swaps").count()).as("only version 2 was swapped in")
                .isEqualTo(1.0);
    }

    @Test
    void aReleasedDeltaCannotBeTakenAgain() {
        catalog(4, this::load);
        LoadedDelta delta = load(version(1));
        assertThat(delta.tryAcquire()).isTrue();
        delta.release();
        delta.retire();

        assertThat(released).containsExactly(1);
        assertThat(delta.tryAcquire()).as("a request must look again, not run on released tensors").isFalse();
    }

    @Test
    void pinnedVersionsAreEvictedOldestFirstAndReleasedOnceUnused() throws Exception {
        catalog(1, this::load);
        LoadedDelta first = catalog.acquire(DOMAIN, OptionalInt.of(3)).get(5, TimeUnit.SECONDS);
        LoadedDelta again = catalog.acquire(DOMAIN, OptionalInt.of(3)).get(5, TimeUnit.SECONDS);
        assertThat(again).isSameAs(first);
        assertThat(loads.get()).as("a pinned version is loaded once").isEqualTo(1);

        LoadedDelta other = catalog.acquire(DOMAIN, OptionalInt.of(4)).get(5, TimeUnit.SECONDS);
        assertThat(released).as("evicted, but two requests still hold version 3").isEmpty();
        first.release();
        again.release();
        assertThat(released).containsExactly(3);

        other.release();
        assertThat(released).as("version 4 stays pinned").containsExactly(3);
    }

    private void promote(int version) {
        catalog.apply(DOMAIN + "@production", alias(version));
        await().atMost(WAIT).until(() -> catalog.settled());
    }

    private LoadedDelta served() throws Exception {
        LoadedDelta delta = catalog.acquire(DOMAIN, OptionalInt.empty()).get(5, TimeUnit.SECONDS);
        delta.release();
        return delta;
    }

    private static void awaitOpen(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static DeltaVersion version(int number) {
        return DeltaVersion.newBuilder().setDomain(DOMAIN).setVersion(number).setKind("lora").setSha256("00")
                .setSizeBytes(1).setBaseModel("m").setLabels(List.of("a", "b")).setCreatedBy("trainer")
                .setCreatedAt(Instant.EPOCH).build();
    }

    private static AliasPointer alias(int version) {
        return AliasPointer.newBuilder().setDomain(DOMAIN).setAlias("production").setVersion(version)
                .setReason("test").setActor("test").setMovedAt(Instant.EPOCH).build();
    }
}
