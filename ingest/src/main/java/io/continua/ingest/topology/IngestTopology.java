package io.continua.ingest.topology;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.stats.StatsStore;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.RecordSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The ingest topology:
 * <pre>
 * examples ─▶ decode + validate + normalize ─┬─▶ examples.rejected
 *                                            ├─▶ by domain ─▶ count rejections ─┐ (one stats store)
 *                                            └─▶ by domain ─▶ dedup + split + count ─▶ examples.accepted
 *               labels with a requestId ─┐
 * predict.results ─▶ decode ─────────────┴─▶ join ─▶ per domain/version window ─▶ metrics
 * </pre>
 * Producers do not agree on partitions: librdkafka's clients hash keys with another function than
 * Java's, and a record may carry no key at all. So what is counted and deduplicated per domain is
 * first repartitioned by the domain the record names (Java's partitioner): each domain's records
 * meet in one task, in one dedup store and one set of stats, whatever partition they came in on.
 */
public final class IngestTopology {
    /** How late a label may be stamped before its prediction and still be joined (clock skew). */
    private static final Duration LABEL_BEFORE_PREDICTION = Duration.ofMinutes(1);

    private IngestTopology() {
    }

    public static Topology build(IngestConfig config) {
        Topics topics = config.topics();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StatsStore.NAME),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(DedupProcessor.store(config.dedupRetention()));
        Serde<LabeledExample> examples = RecordSerdes.labeledExample();

        KStream<String, LabeledExample> valid = decoded(topics, "examples",
                builder.stream(topics.examples(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                        .process(() -> new ExampleProcessor(config), Named.as("validate")),
                rejections -> rejections
                        .map((key, rejected) -> KeyValue.pair(DomainNames.isValid(key) ? key : StatsStore.UNKNOWN_DOMAIN,
                                rejected.getReason()), Named.as("rejection-reasons"))
                        .repartition(Repartitioned.with(Serdes.String(), Serdes.String())
                                .withName("rejections-by-domain"))
                        .process(RejectionCounter::new, Named.as("count-rejections"), StatsStore.NAME));
        valid.repartition(Repartitioned.with(Serdes.String(), examples).withName("examples-by-domain"))
                .process(() -> new DedupProcessor(config), Named.as("dedup"), DedupProcessor.STORE, StatsStore.NAME)
                .to(topics.examplesAccepted(), Produced.with(Serdes.String(), examples));

        prequentialAccuracy(builder, config, valid);
        return builder.build();
    }

    /** Joins each prediction with the label that later arrives for its request id, and reports accuracy. */
    private static void prequentialAccuracy(StreamsBuilder builder, IngestConfig config,
                                            KStream<String, LabeledExample> valid) {
        Topics topics = config.topics();
        KStream<String, LabeledExample> labels = valid
                .filter((domain, example) -> example.getRequestId() != null, Named.as("with-request-id"))
                .selectKey((domain, example) -> example.getRequestId(), Named.as("by-request-id"));
        KStream<String, Prediction> predictions = decoded(topics, "predictions",
                builder.stream(topics.predictResults(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                        .process(() -> new PredictionDecoder(config.confluentSchemas()),
                                Named.as("decode-predictions")), rejections -> { });

        Serde<DomainMetrics> metrics = RecordSerdes.domainMetrics();
        labels.join(predictions, IngestTopology::outcome,
                        JoinWindows.ofTimeDifferenceAndGrace(config.prequentialWindow(), LABEL_BEFORE_PREDICTION)
                                .after(LABEL_BEFORE_PREDICTION),
                        StreamJoined.with(Serdes.String(), RecordSerdes.labeledExample(), RecordSerdes.prediction())
                                .withName("prequential-join").withStoreName("prequential-join"))
                .groupBy((requestId, outcome) -> outcome.getDomain() + "/" + outcome.getVersion(),
                        Grouped.with("prequential-by-version", Serdes.String(), metrics))
                .windowedBy(TimeWindows.ofSizeAndGrace(config.metricsWindow(), LABEL_BEFORE_PREDICTION))
                .reduce(IngestTopology::add, Named.as("prequential-sum"),
                        Materialized.<String, DomainMetrics, WindowStore<Bytes, byte[]>>as("prequential-windows")
                                .withKeySerde(Serdes.String()).withValueSerde(metrics))
                .toStream(Named.as("prequential-windows"))
                .map(IngestTopology::withWindow, Named.as("prequential-metrics"))
                .to(topics.metrics(), Produced.with(Serdes.String(), metrics));
    }

    /**
     * Splits a processor's output: dead letters go to {@code examples.rejected} (and to
     * {@code alsoRejected}), the rest continue as the record type the processor decoded.
     */
    @SuppressWarnings("unchecked")
    private static <T> KStream<String, T> decoded(Topics topics, String name,
                                                  KStream<String, SpecificRecord> processed,
                                                  Consumer<KStream<String, RejectedRecord>> alsoRejected) {
        Map<String, KStream<String, SpecificRecord>> branches = processed
                .split(Named.as(name + "-"))
                .branch((key, value) -> value instanceof RejectedRecord, Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));
        KStream<String, RejectedRecord> rejected = branches.get(name + "-rejected")
                .mapValues(value -> (RejectedRecord) value, Named.as(name + "-dead-letters"));
        rejected.to(topics.examplesRejected(), Produced.with(Serdes.String(), RecordSerdes.rejectedRecord()));
        alsoRejected.accept(rejected);
        return branches.get(name + "-valid").mapValues(value -> (T) value, Named.as(name + "-decoded"));
    }

    /** One judged prediction, as a window of one. */
    private static DomainMetrics outcome(LabeledExample label, Prediction prediction) {
        long correct = prediction.getLabel().equals(label.getLabel()) ? 1 : 0;
        return new DomainMetrics(prediction.getDomain(), prediction.getVersion(), correct, 1L, (double) correct,
                Instant.EPOCH, Instant.EPOCH);
    }

    private static DomainMetrics add(DomainMetrics total, DomainMetrics outcome) {
        long correct = total.getCorrect() + outcome.getCorrect();
        long count = total.getCount() + outcome.getCount();
        return new DomainMetrics(total.getDomain(), total.getVersion(), correct, count, (double) correct / count,
                Instant.EPOCH, Instant.EPOCH);
    }

    private static KeyValue<String, DomainMetrics> withWindow(Windowed<String> window, DomainMetrics totals) {
        DomainMetrics metrics = DomainMetrics.newBuilder(totals)
                .setWindowStart(window.window().startTime())
                .setWindowEnd(window.window().endTime())
                .build();
        return KeyValue.pair(totals.getDomain(), metrics);
    }
}
