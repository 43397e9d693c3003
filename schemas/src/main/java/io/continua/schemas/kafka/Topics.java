package io.continua.schemas.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The names of Continua's topics under one prefix (default {@code continua.}), and how each is
 * created. Every service resolves names here so that a prefix change moves them all together.
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "continua.";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,200}");

    /** A topic's name and layout, and the topic settings it needs besides compaction. */
    public record Spec(String name, int partitions, boolean compacted, Map<String, String> configs) {
        public Spec(String name, int partitions, boolean compacted) {
            this(name, partitions, compacted, Map.of());
        }

        public NewTopic newTopic(short replication) {
            Map<String, String> all = new HashMap<>(configs);
            if (compacted) {
                all.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            if (replication >= 3) {
                // A write acknowledged by two replicas survives the loss of any one broker.
                all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
            }
            return new NewTopic(name, partitions, replication).configs(all);
        }
    }

    /** The largest record of the artifact topic: a chunk of {@link DeltaBlobs#CHUNK_BYTES} and its key. */
    public static final int DELTA_BLOBS_MAX_MESSAGE_BYTES = DeltaBlobs.CHUNK_BYTES + 64 * 1024;

    private final String prefix;

    public Topics(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("Topic prefix '" + prefix
                    + "' may only hold letters, digits, '.', '_' and '-' (at most 200)");
        }
        this.prefix = prefix;
    }

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    /** What producers publish: LabeledExample, keyed by domain. */
    public String examples() {
        return prefix + "examples";
    }

    /** Ingest's output and the trainer's input: normalized LabeledExample with its split. */
    public String examplesAccepted() {
        return prefix + "examples.accepted";
    }

    /** Dead letters: RejectedRecord with reason, detail, source and original bytes. */
    public String examplesRejected() {
        return prefix + "examples.rejected";
    }

    public String predictRequests() {
        return prefix + "predict.requests";
    }

    public String predictResults() {
        return prefix + "predict.results";
    }

    /** The registry's compacted log of record: DeltaVersion and AliasPointer. */
    public String deltas() {
        return prefix + "deltas";
    }

    /**
     * Delta artifacts in content-addressed chunks (compacted), written in the same transaction as
     * the version that names them: every registry instance reads them from here.
     */
    public String deltaBlobs() {
        return prefix + "delta-blobs";
    }

    /** Prequential accuracy per domain and delta version: DomainMetrics. */
    public String metrics() {
        return prefix + "metrics";
    }

    /** Every topic with the layout a local stack creates; {@code partitions} applies to the keyed streams. */
    public List<Spec> all(int partitions) {
        return List.of(
                new Spec(examples(), partitions, false),
                new Spec(examplesAccepted(), partitions, false),
                new Spec(examplesRejected(), partitions, false),
                new Spec(predictRequests(), partitions, false),
                new Spec(predictResults(), partitions, false),
                new Spec(deltas(), 1, true),
                new Spec(deltaBlobs(), 1, true, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(DELTA_BLOBS_MAX_MESSAGE_BYTES))),
                new Spec(metrics(), partitions, false));
    }

    /** {@link #all} as topics to create with this replication factor. */
    public List<NewTopic> newTopics(int partitions, short replication) {
        return all(partitions).stream().map(spec -> spec.newTopic(replication)).toList();
    }
}
