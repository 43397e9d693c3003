package io.continua.service.settings;

/** How much a setting matters to someone deploying the service, as Kafka ranks its configs: it orders the docs. */
public enum Importance {
    /** Set or at least checked in every deployment: where to connect, listen, and authenticate. */
    HIGH,
    /** Tuning that changes behaviour users see: learning, batching, limits. */
    MEDIUM,
    /** Rarely changed internals. */
    LOW
}
