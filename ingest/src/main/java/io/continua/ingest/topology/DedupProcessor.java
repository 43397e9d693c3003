package io.continua.ingest.topology;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.stats.StatsStore;
import io.continua.ingest.validate.SplitAssigner;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Split;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Drops exact duplicates per domain (same normalized text and label within the retention),
 * forwards a text seen before with another label as a label correction (header
 * {@value #CORRECTION_HEADER}), assigns the split, counts what it accepted, and forwards to
 * {@code examples.accepted}.
 */
final class DedupProcessor implements Processor<String, LabeledExample, String, LabeledExample> {
    static final String STORE = "dedup-texts";
    static final String CORRECTION_HEADER = "continua.correction";

    private final SplitAssigner splits;
    private final Duration retention;
    private ProcessorContext<String, LabeledExample> context;
    private KeyValueStore<String, String> seen;
    private StatsStore stats;

    DedupProcessor(IngestConfig config) {
        this.splits = new SplitAssigner(config.holdoutFraction());
        this.retention = config.dedupRetention();
    }

    @Override
    public void init(ProcessorContext<String, LabeledExample> context) {
        this.context = context;
        this.seen = context.getStateStore(STORE);
        KeyValueStore<String, String> store = context.getStateStore(StatsStore.NAME);
        this.stats = new StatsStore(store);
        Duration sweep = retention.dividedBy(10).compareTo(Duration.ofMinutes(1)) > 0
                ? Duration.ofMinutes(1) : retention.dividedBy(10).plusMillis(1);
        context.schedule(sweep, PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
    }

    @Override
    public void process(Record<String, LabeledExample> record) {
        LabeledExample example = record.value();
        String domain = example.getDomain();
        String key = domain + '\u0000' + example.getText();
        String previous = seen.get(key);
        boolean correction = false;
        if (previous != null) {
            String previousLabel = previous.substring(previous.indexOf('\u0000') + 1);
            if (previousLabel.equals(example.getLabel())) {
                stats.update(domain, counts -> counts.duplicate());
                return;
            }
            correction = true;
        }
        seen.put(key, context.currentSystemTimeMs() + "\u0000" + example.getLabel());
        Split split = splits.assign(domain, example.getText());
        LabeledExample accepted = LabeledExample.newBuilder(example).setSplit(split).build();
        boolean isCorrection = correction;
        stats.update(domain, counts -> {
            counts.accepted(example.getLabel(), split.name());
            return isCorrection ? counts.correction() : counts;
        });
        Headers headers = new RecordHeaders(record.headers().toArray());
        if (correction) {
            headers.add(CORRECTION_HEADER, "true".getBytes(StandardCharsets.UTF_8));
        }
        context.forward(new Record<>(domain, accepted, record.timestamp(), headers));
    }

    /** Forgets texts first seen longer ago than the retention. */
    private void forgetExpired(long now) {
        long cutoff = now - retention.toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> all = seen.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                long firstSeen = Long.parseLong(entry.value.substring(0, entry.value.indexOf('\u0000')));
                if (firstSeen < cutoff) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(seen::delete);
    }
}
