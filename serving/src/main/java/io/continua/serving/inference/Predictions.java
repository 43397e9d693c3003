package io.continua.serving.inference;

import io.continua.schemas.kafka.DomainNames;
import io.continua.service.HttpFailure;
import io.continua.serving.deltas.DeltaCatalog;
import io.continua.serving.deltas.NoDeltaException;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The one way into inference for both the HTTP and the Kafka path: checks the input and that the
 * domain can be answered (404 unknown, 409 nothing loaded yet), resolves a pinned alias to its version, and
 * queues the texts for batching.
 */
public final class Predictions {
    private final DeltaCatalog catalog;
    private final Batcher batcher;

    public Predictions(DeltaCatalog catalog, Batcher batcher) {
        this.catalog = catalog;
        this.batcher = batcher;
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
            throw new HttpFailure(400, "invalid_domain", "Domain '" + domain + "' does not match "
                    + DomainNames.PATTERN.pattern());
        }
        if (texts.stream().anyMatch(text -> text == null || text.isBlank())) {
            throw new HttpFailure(400, "blank_text", "Every text must hold something to classify");
        }
        if (pin.version() != null && pin.alias() != null) {
            throw new HttpFailure(400, "ambiguous_pin", "Pin a version or an alias, not both");
        }
        if (!catalog.knows(domain)) {
            throw new NoDeltaException(404, "unknown_domain", "No domain '" + domain + "' is registered");
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
            throw new NoDeltaException(409, "no_delta", "Domain '" + domain + "' has no " + catalog.servedAlias()
                    + " delta yet: none is registered under that alias, or it is still loading");
        }
        return new Pending(batcher.submit(domain, version, texts), alias);
    }
}
