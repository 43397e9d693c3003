package io.continua.schemas.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class RestartingLoopTest {
    @Test
    void aFailingStepMarksTheLoopDownRecoversAndTheLoopGoesOn() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger recoveries = new AtomicInteger();
        CountDownLatch exited = new CountDownLatch(1);
        try (RestartingLoop loop = RestartingLoop.start("test-loop", () -> {
            if (broken.get()) {
                throw new IllegalStateException("broken");
            }
            steps.incrementAndGet();
            Thread.sleep(5);
        }, recoveries::incrementAndGet, () -> { }, exited::countDown)) {
            await(() -> loop.failures() >= 2);
            assertThat(loop.isUp()).isFalse();
            assertThat(recoveries.get()).as("recovered before each retry").isGreaterThanOrEqualTo(1);
            assertThat(steps.get()).isZero();

            broken.set(false);
            await(loop::isUp);
            await(() -> steps.get() > 3);
        }
        assertThat(exited.await(1, TimeUnit.SECONDS)).as("onExit ran when the loop closed").isTrue();
    }

    @Test
    void closingEndsABackoffWithoutAnotherRecovery() throws Exception {
        AtomicInteger recoveries = new AtomicInteger();
        RestartingLoop loop = RestartingLoop.start("test-loop", () -> {
            throw new IllegalStateException("always");
        }, recoveries::incrementAndGet, () -> { }, () -> { });
        await(() -> loop.failures() >= 3);
        loop.close();
        // Every failure but the last was followed by its backoff and a recovery; the last one's backoff was
        // cut short by closing, so the loop ended without recovering (or running the step) again.
        assertThat(recoveries.get()).isEqualTo(loop.failures() - 1);
        assertThat(loop.isUp()).isFalse();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
