package io.continua.schemas.loop;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background loop that cannot die silently: it runs one step after another on its own named
 * thread until closed. A step that throws marks the loop down (services turn {@code /ready} false
 * on {@link #isUp()}), is logged with the loop's name, and after a backoff (0.5 s doubling to 30 s,
 * cut short by {@link #close()}) the loop recovers (rewinds what the failed step had not finished)
 * and goes on; the first step that succeeds marks it up again. Kafka consumers' poll loops are its
 * main use: their {@code wakeup} ends a blocked poll when the loop closes.
 */
public final class RestartingLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestartingLoop.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    /** One iteration of the loop's work. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private final String name;
    private final Step step;
    private final Runnable recover;
    private final Runnable wakeup;
    private final Runnable onExit;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean down;

    /**
     * @param recover after a failure and its backoff, before the next step: put the work back where
     *                no input is lost (seek a consumer to what it has not finished)
     * @param wakeup  unblocks a step in progress when the loop closes (a consumer's {@code wakeup})
     * @param onExit  runs on the loop's thread when it ends (closes what only that thread may touch)
     */
    private RestartingLoop(String name, Step step, Runnable recover, Runnable wakeup, Runnable onExit) {
        this.name = name;
        this.step = step;
        this.recover = recover;
        this.wakeup = wakeup;
        this.onExit = onExit;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /** Starts the loop on a new daemon thread named {@code name}. */
    public static RestartingLoop start(String name, Step step, Runnable recover, Runnable wakeup, Runnable onExit) {
        RestartingLoop loop = new RestartingLoop(name, step, recover, wakeup, onExit);
        loop.thread.start();
        return loop;
    }

    private void run() {
        Duration retryAfter = FIRST_RETRY;
        try {
            while (running) {
                try {
                    step.run();
                    if (down) {
                        down = false;
                        retryAfter = FIRST_RETRY;
                        log.info("{} is running again", name);
                    }
                } catch (WakeupException e) {
                    if (!running) {
                        return;
                    }
                    retryAfter = failed(e, retryAfter);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    retryAfter = failed(e, retryAfter);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            onExit.run();
        }
    }

    /** Marks the loop down, waits out the backoff (unless closing) and recovers; returns the next backoff. */
    private Duration failed(Exception error, Duration retryAfter) throws InterruptedException {
        down = true;
        failures.incrementAndGet();
        log.error("{} failed; retrying in {} ms, not ready meanwhile", name, retryAfter.toMillis(), error);
        if (closing.await(retryAfter.toMillis(), TimeUnit.MILLISECONDS)) {
            return retryAfter;
        }
        recover.run();
        Duration doubled = retryAfter.multipliedBy(2);
        return doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
    }

    /** Whether the loop is running and its last step succeeded. */
    public boolean isUp() {
        return running && !down;
    }

    /** Failures the loop retried after. */
    public long failures() {
        return failures.get();
    }

    /** Stops the loop: ends a backoff at once, wakes a blocked step, waits for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        closing.countDown();
        wakeup.run();
        thread.join(10_000);
    }
}
