package io.continua.ingest.topology;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.stats.StatsStore;
import io.continua.ingest.validate.SplitAssigner;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Split;
import io.continua.schemas.kafka.ExampleHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops exact duplicates per domain (same normalized text and label within the retention),
 * forwards a text seen before with another label as a label correction (header
 * {@value ExampleHeaders#CORRECTION}), assigns the split, counts what it accepted, and forwards to
 * {@code examples.accepted}.
 *
 * <p>What was seen lives in a window store keyed by a SHA-256 of domain and text, timestamped with the record's
 * time: its segments older than the retention (in stream time) are dropped by the store itself, so nothing
 * scans the store and long texts do not make long keys (the Kafka Streams event de-duplication pattern).
 */
final class DedupProcessor implements Processor<String, LabeledExample, String, LabeledExample> {
    static final String STORE = "dedup-seen";

    private final SplitAssigner splits;
    private final Duration retention;
    private ProcessorContext<String, LabeledExample> context;
    private WindowStore<String, String> seen;
    private StatsStore stats;

    DedupProcessor(IngestConfig config) {
        this.splits = new SplitAssigner(config.holdoutFraction());
        this.retention = config.dedupRetention();
    }

    /** The store: one window per sighting, kept for the retention. */
    static StoreBuilder<WindowStore<String, String>> store(Duration retention) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(STORE, retention, retention, false),
                Serdes.String(), Serdes.String());
    }

    @Override
    public void init(ProcessorContext<String, LabeledExample> context) {
        this.context = context;
        this.seen = context.getStateStore(STORE);
        KeyValueStore<String, String> store = context.getStateStore(StatsStore.NAME);
        this.stats = new StatsStore(store);
    }

    @Override
    public void process(Record<String, LabeledExample> record) {
        LabeledExample example = record.value();
        String domain = example.getDomain();
        String key = key(domain, example.getText());
        String previousLabel = lastLabel(key, record.timestamp());
        if (example.getLabel().equals(previousLabel)) {
            stats.update(domain, counts -> counts.duplicate());
            return;
        }
        boolean correction = previousLabel != null;
        seen.put(key, example.getLabel(), record.timestamp());
        Split split = splits.assign(domain, example.getText());
        LabeledExample accepted = LabeledExample.newBuilder(example).setSplit(split).build();
        stats.update(domain, counts -> {
            counts.accepted(example.getLabel(), split.name());
            return correction ? counts.correction() : counts;
        });
        Headers headers = new RecordHeaders(record.headers().toArray());
        if (correction) {
            ExampleHeaders.markCorrection(headers);
        }
        context.forward(new Record<>(domain, accepted, record.timestamp(), headers));
    }

    /** The label last seen for this text within the retention before {@code time}, or null. */
    private String lastLabel(String key, long time) {
        String label = null;
        try (WindowStoreIterator<String> sightings = seen.fetch(key, Instant.ofEpochMilli(time).minus(retention),
                Instant.ofEpochMilli(time))) {
            while (sightings.hasNext()) {
                label = sightings.next().value;
            }
        }
        return label;
    }

    static String key(String domain, String text) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(domain.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
