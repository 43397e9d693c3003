package io.continua.ingest.stats;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What ingest has seen of one domain: accepted, rejected (by reason), duplicates dropped, label
 * corrections forwarded, and accepted examples per label and per split. Kept in a state store
 * (as JSON) so it survives restarts and can be queried.
 */
public final class DomainStats {
    private long accepted;
    private long duplicates;
    private long corrections;
    private final Map<String, Long> rejected = new TreeMap<>();
    private final Map<String, Long> labels = new TreeMap<>();
    private final Map<String, Long> splits = new TreeMap<>();

    public static DomainStats fromJson(String json) {
        DomainStats stats = new DomainStats();
        if (json == null) {
            return stats;
        }
        JsonObject object = new JsonObject(json);
        stats.accepted = object.getLong("accepted", 0L);
        stats.duplicates = object.getLong("duplicates", 0L);
        stats.corrections = object.getLong("corrections", 0L);
        readCounts(object.getJsonObject("rejectedByReason"), stats.rejected);
        readCounts(object.getJsonObject("labels"), stats.labels);
        readCounts(object.getJsonObject("splits"), stats.splits);
        return stats;
    }

    public DomainStats accepted(String label, String split) {
        accepted++;
        labels.merge(label, 1L, Long::sum);
        splits.merge(split, 1L, Long::sum);
        return this;
    }

    public DomainStats duplicate() {
        duplicates++;
        return this;
    }

    /** A correction is also accepted: it is counted both ways. */
    public DomainStats correction() {
        corrections++;
        return this;
    }

    public DomainStats rejected(String reason) {
        rejected.merge(reason, 1L, Long::sum);
        return this;
    }

    public long acceptedCount() {
        return accepted;
    }

    public long duplicateCount() {
        return duplicates;
    }

    public long correctionCount() {
        return corrections;
    }

    public long rejectedCount() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> labels() {
        return Map.copyOf(labels);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("accepted", accepted)
                .put("rejected", rejectedCount())
                .put("duplicates", duplicates)
                .put("corrections", corrections)
                .put("rejectedByReason", new JsonObject(new TreeMap<String, Object>(rejected)))
                .put("labels", new JsonObject(new TreeMap<String, Object>(labels)))
                .put("splits", new JsonObject(new TreeMap<String, Object>(splits)));
    }

    public String encode() {
        return toJson().encode();
    }

    private static void readCounts(JsonObject counts, Map<String, Long> into) {
        if (counts != null) {
            counts.forEach(entry -> into.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
        }
    }
}
