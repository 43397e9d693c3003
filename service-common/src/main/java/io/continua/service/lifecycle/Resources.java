package io.continua.service.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service acquires while it starts (pools, clients, loops, a listening port), released in reverse order:
 * all of it when a later step of the start fails, so a failed start leaks no thread, connection or port; the
 * rest at stop. A resource that fails to close is logged and the others are still closed.
 */
public final class Resources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Resources.class);

    private record Held(String name, AutoCloseable resource) {
    }

    private final String owner;
    private final Deque<Held> held = new ArrayDeque<>();

    public Resources(String owner) {
        this.owner = owner;
    }

    /** Holds {@code resource} until {@link #close()}; returns it. */
    public synchronized <T extends AutoCloseable> T add(String name, T resource) {
        held.push(new Held(name, resource));
        return resource;
    }

    /** Releases everything held, the last acquired first. */
    @Override
    public void close() {
        boolean interrupted = false;
        while (true) {
            Held next;
            synchronized (this) {
                next = held.poll();
            }
            if (next == null) {
                break;
            }
            try {
                next.resource().close();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (Exception | Error e) {
                log.warn("{}: closing its {} failed: {}", owner, next.name(), e.toString());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
