package io.continua.serving.inference;

import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.errors.ServiceException.Kind;
import io.continua.schemas.kafka.DomainNames;
import io.continua.serving.deltas.DeltaCatalog;
import io.continua.serving.deltas.LoadedDelta;
import io.continua.serving.deltas.NoDeltaException;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;

/**
 * The one way into inference for both the HTTP and the Kafka path: checks the input and that the
 * domain can be answered (404 unknown, 409 nothing loaded yet), resolves a pinned alias to its version, and
 * queues the texts for batching.
 */
public final class Predictions {
    private final DeltaCatalog catalog;
    private final Batcher<LoadedDelta> batcher;
    private final int maxTextChars;
    private final int maxTokens;

    public Predictions(DeltaCatalog catalog, Batcher<LoadedDelta> batcher, int maxTextChars, int maxTokens) {
        this.catalog = catalog;
        this.batcher = batcher;
        this.maxTextChars = maxTextChars;
        this.maxTokens = maxTokens;
    }

    /** What a request pins: nothing (the served alias), a version, or an alias. */
    public record Pin(Integer version, String alias) {
    }

    /** The texts' classifications, and the alias each is reported under (null when a version was pinned). */
    public record Pending(List<CompletableFuture<Classification>> results, String alias) {
    }

    /** Refuses malformed input (400), an unknown domain (404) or one with nothing to serve (409); else queues. */
    public Pending submit(String domain, Pin pin, List<String> texts) {
        if (!DomainNames.isValid(domain)) {
            throw ServiceException.invalid("invalid_domain", "Domain '" + domain + "' does not match "
                    + DomainNames.PATTERN.pattern());
        }
        if (texts.stream().anyMatch(text -> text == null || text.isBlank())) {
            throw ServiceException.invalid("blank_text", "Every text must hold something to classify");
        }
        if (texts.stream().anyMatch(text -> text.length() > maxTextChars)) {
            throw new ServiceException(ServiceException.Kind.TOO_LARGE, "text_too_long", "A text is over " + maxTextChars + " characters; the model "
                    + "reads its first " + maxTokens + " tokens, so send less");
        }
        if (pin.version() != null && pin.alias() != null) {
            throw ServiceException.invalid("ambiguous_pin", "Pin a version or an alias, not both");
        }
        if (!catalog.knows(domain)) {
            throw new NoDeltaException(Kind.NOT_FOUND, "unknown_domain", "No domain '" + domain + "' is registered");
        }
        OptionalInt version = OptionalInt.empty();
        String alias = catalog.servedAlias();
        if (pin.version() != null) {
            version = OptionalInt.of(pin.version());
            alias = null;
        } else if (pin.alias() != null && !pin.alias().equals(catalog.servedAlias())) {
            version = catalog.resolve(domain, pin.alias());
            alias = pin.alias();
        } else if (!catalog.serves(domain)) {
            throw new NoDeltaException(Kind.CONFLICT, "no_delta", "Domain '" + domain + "' has no " + catalog.servedAlias()
                    + " delta yet: none is registered under that alias, or it is still loading");
        }
        return new Pending(queue(domain, catalog.acquire(domain, version), texts), alias);
    }

    /**
     * Queues the texts once their delta is at hand. A delta already loaded (the usual case) queues
     * them at once, so refusals (404, 409, 410, 429) are thrown to the caller; a pinned version that
     * must load first queues them when it is loaded, and its refusals fail the futures.
     */
    private List<CompletableFuture<Classification>> queue(String domain, CompletableFuture<LoadedDelta> delta,
                                                          List<String> texts) {
        if (delta.isDone()) {
            return submit(domain, join(delta), texts);
        }
        CompletableFuture<List<CompletableFuture<Classification>>> queued =
                delta.thenApply(loaded -> submit(domain, loaded, texts));
        return IntStream.range(0, texts.size()).mapToObj(i -> queued.thenCompose(each -> each.get(i))).toList();
    }

    /** Hands the texts and the delta reference to the batcher; the reference is dropped if they are refused. */
    private List<CompletableFuture<Classification>> submit(String domain, LoadedDelta delta, List<String> texts) {
        try {
            return batcher.submit(domain, delta, texts);
        } catch (RuntimeException e) {
            delta.release();
            throw e;
        }
    }

    private static LoadedDelta join(CompletableFuture<LoadedDelta> delta) {
        try {
            return delta.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
