package io.continua.ingest.topology;

import io.continua.ingest.stats.StatsStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts a rejection (its reason code, keyed by domain) in the domain's stats. It runs after the
 * rejections are repartitioned by domain, beside {@link DedupProcessor} and on the same store, so a
 * domain's stats are one set of counts whatever partitions its records arrived on.
 */
final class RejectionCounter implements Processor<String, String, Void, Void> {
    private StatsStore stats;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        stats = new StatsStore(context.getStateStore(StatsStore.NAME));
    }

    @Override
    public void process(Record<String, String> record) {
        stats.update(record.key(), counts -> counts.rejected(record.value()));
    }
}
