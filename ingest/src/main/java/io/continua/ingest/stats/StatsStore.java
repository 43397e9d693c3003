package io.continua.ingest.stats;

import java.util.function.UnaryOperator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The per-domain {@link DomainStats} state store: read, change, write back. */
public final class StatsStore {
    public static final String NAME = "domain-stats";
    /** Where records whose domain cannot be read are counted. */
    public static final String UNKNOWN_DOMAIN = "_unknown";

    private final KeyValueStore<String, String> store;

    public StatsStore(KeyValueStore<String, String> store) {
        this.store = store;
    }

    public void update(String domain, UnaryOperator<DomainStats> change) {
        store.put(domain, change.apply(DomainStats.fromJson(store.get(domain))).encode());
    }
}
