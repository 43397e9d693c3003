package io.continua.serving.deltas;

import io.continua.schemas.DeltaVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/** One domain's registered versions, alias pointers, the delta it serves now and pinned ones. */
final class DomainDeltas {
    final Map<Integer, DeltaVersion> versions = new TreeMap<>();
    final Map<String, Integer> aliases = new TreeMap<>();
    final AtomicReference<LoadedDelta> served = new AtomicReference<>();
    /** Versions loaded for requests that pin them, least recently used first. */
    final Map<Integer, LoadedDelta> pinned = new LinkedHashMap<>(16, 0.75f, true);
    /** The version the served alias points at, which the loader is bringing in. */
    volatile int wanted;
    volatile long wantedSince;
}
