package io.continua.serving.inference;

import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.errors.ServiceException.Kind;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.registry.RolloutMode;
import io.continua.serving.deltas.DeltaCatalog;
import io.continua.serving.deltas.LoadedDelta;
import io.continua.serving.deltas.NoDeltaException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;

/**
 * The one way into inference for both the HTTP and the Kafka path: checks the input and that the
 * domain can be answered (404 unknown, 409 nothing loaded yet), resolves a pinned alias to its version,
 * routes a canary's share of requests to the candidate, and queues the texts for batching; and runs a
 * shadow candidate on the same texts when there is room.
 */
public final class Predictions {
    /** Shadow texts run in a lane of their own beside the domain's: they never use the domain's queue. */
    private static final String SHADOW_LANE = " (shadow)";
    /** Shadow work is queued only while at most this many texts wait for inference. */
    private static final int SHADOW_MAX_WAITING = 16;
    /** The shadow's allowance holds at least this many texts, so that a burst of small requests can all be shadowed. */
    private static final int SHADOW_RESERVE = 32;
    private final DeltaCatalog catalog;
    private final Batcher<LoadedDelta> batcher;
    private final int maxTextChars;
    private final int maxTokens;
    private final ShadowTokens shadowTokens;
    private final Counter shadowSkipped;

    /**
     * @param maxTexts     the most texts a request may carry: the shadow's allowance holds that many, so that a
     *                     request of any size can be shadowed
     * @param shadowBudget the share of inference shadow scoring may take, in (0, 1]
     */
    public Predictions(DeltaCatalog catalog, Batcher<LoadedDelta> batcher, int maxTexts, int maxTextChars,
                       int maxTokens, double shadowBudget, MeterRegistry metrics) {
        this.catalog = catalog;
        this.batcher = batcher;
        this.maxTextChars = maxTextChars;
        this.maxTokens = maxTokens;
        this.shadowTokens = new ShadowTokens(shadowBudget, Math.max(SHADOW_RESERVE, maxTexts));
        this.shadowSkipped = Counter.builder("continua_serving_shadow_skipped")
                .description("Texts a shadow candidate did not score: over its budget, its lane busy, or not loaded")
                .register(metrics);
    }

    /** What a request pins: nothing (the served alias), a version, or an alias. */
    public record Pin(Integer version, String alias) {
    }

    /** The texts' classifications, and the alias each is reported under (null when a version was pinned). */
    public record Pending(List<CompletableFuture<Classification>> results, String alias) {
    }

    /**
     * Refuses malformed input (400), an unknown domain (404) or one with nothing to serve (409); else queues.
     *
     * @param routingKey what a canary's share of requests is drawn by (sticky: the same key, the same side); null:
     *                   the served alias answers
     */
    public Pending submit(String domain, Pin pin, List<String> texts, String routingKey) {
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
        // A canary answers its share of unpinned requests, once it is loaded: until then production does.
        Optional<LoadedDelta> canary = pin.version() == null && pin.alias() == null && routingKey != null
                ? catalog.trial(domain).filter(trial -> trial.mode() == RolloutMode.CANARY
                        && share(routingKey) < trial.canaryShare())
                .flatMap(trial -> catalog.acquireLoaded(domain, trial.version())) : Optional.empty();
        if (canary.isPresent()) {
            return new Pending(submit(domain, canary.get(), texts), RolloutMode.CANDIDATE);
        }
        return new Pending(queue(domain, catalog.acquire(domain, version), texts), alias);
    }

    /**
     * The domain's shadow candidate scoring the same texts: only a candidate already loaded, only while few texts
     * wait for inference (shadow work joins batches when they would run anyway, never ahead of a queue), within
     * {@code shadow.budget} of the texts production answers, and in a lane of its own, never counted against the
     * domain's queue (it cannot make a request be refused). Empty when there is none to run.
     */
    public Optional<Pending> shadow(String domain, List<String> texts) {
        Optional<DeltaCatalog.Trial> trial = catalog.trial(domain).filter(t -> t.mode() == RolloutMode.SHADOW);
        if (trial.isEmpty()) {
            return Optional.empty();
        }
        if (batcher.waiting() > SHADOW_MAX_WAITING || !shadowTokens.take(texts.size())) {
            shadowSkipped.increment(texts.size());
            return Optional.empty();
        }
        Optional<LoadedDelta> candidate = catalog.acquireLoaded(domain, trial.get().version());
        if (candidate.isEmpty()) {
            shadowSkipped.increment(texts.size());
            return Optional.empty();
        }
        try {
            return Optional.of(new Pending(batcher.submit(domain + SHADOW_LANE, candidate.get(), texts),
                    RolloutMode.CANDIDATE));
        } catch (RuntimeException e) {
            candidate.get().release();
            shadowSkipped.increment(texts.size());
            return Optional.empty();
        }
    }

    /**
     * Shadow scoring's allowance: each text production answers earns {@code budget} of a text, up to a reserve
     * of one request's worth, and each shadow text spends one; so over any stretch the shadow scores at most that
     * share of what production does, and an idle stretch does not save up a burst.
     */
    private static final class ShadowTokens {
        private final double budget;
        private final double reserve;
        private double tokens;

        ShadowTokens(double budget, double reserve) {
            this.budget = budget;
            this.reserve = reserve;
        }

        synchronized void earn(int answered) {
            tokens = Math.min(reserve, tokens + answered * budget);
        }

        synchronized boolean take(int texts) {
            if (tokens < texts) {
                return false;
            }
            tokens -= texts;
            return true;
        }
    }

    /** Where a routing key falls in [0, 1): mixed (MurmurHash3's finalizer), as ids often differ in a character. */
    static double share(String routingKey) {
        int h = routingKey.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return (h >>> 1) / (double) (1L << 31);
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
            List<CompletableFuture<Classification>> results = batcher.submit(domain, delta, texts);
            shadowTokens.earn(texts.size());
            return results;
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
