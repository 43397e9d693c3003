package io.continua.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.ingest.IngestConfig;
import io.continua.ingest.IngestService;
import io.continua.ingest.IngestSettings;
import io.continua.ingest.stats.DomainStats;
import io.continua.ingest.stats.StatsStore;
import io.continua.ingest.validate.RejectionReason;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabelScore;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.Split;
import io.continua.schemas.kafka.ExampleHeaders;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.JsonSerializer;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.settings.SharedSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestTopologyTest {
    /** On an hour so the seconds a test spans never straddle a metrics window (any window dividing an hour). */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.HOURS);
    private final Topics topics = Topics.withDefaultPrefix();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> examples;
    private TestInputTopic<byte[], byte[]> predictions;
    private TestOutputTopic<String, LabeledExample> accepted;
    private TestOutputTopic<String, RejectedRecord> rejected;
    private TestOutputTopic<String, DomainMetrics> metrics;

    @BeforeEach
    void start() {
        Path state = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "ttd-" + UUID.randomUUID());
        IngestConfig config = IngestConfig.defaults("unused:9092", state)
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(IngestSettings.APPLICATION_ID, "ingest-test")
                .with(IngestSettings.STATE_DIR, state)
                .with(IngestSettings.MAX_TEXT_LENGTH, 200)
                .with(IngestSettings.MAX_LABEL_LENGTH, 20)
                .with(IngestSettings.COMMIT_INTERVAL, Duration.ofMillis(100));
        Properties props = IngestService.streamsProperties(config);
        driver = new TopologyTestDriver(IngestTopology.build(config), props, NOW);
        examples = driver.createInputTopic(topics.examples(), new ByteArraySerializer(), new ByteArraySerializer());
        predictions = driver.createInputTopic(topics.predictResults(), new ByteArraySerializer(),
                new ByteArraySerializer());
        accepted = driver.createOutputTopic(topics.examplesAccepted(), new StringDeserializer(),
                RecordSerdes.labeledExample());
        rejected = driver.createOutputTopic(topics.examplesRejected(), new StringDeserializer(),
                RecordSerdes.rejectedRecord());
        metrics = driver.createOutputTopic(topics.metrics(), new StringDeserializer(), RecordSerdes.domainMetrics());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void acceptsANormalizedExampleWithItsSplit() {
        publish("banking", example("1", "banking", "  Where is\u200B my   card?\n", " card_arrival "));

        TestRecord<String, LabeledExample> out = accepted.readRecord();
        assertThat(out.key()).isEqualTo("banking");
        assertThat(out.value().getText()).isEqualTo("Where is my card?");
        assertThat(out.value().getLabel()).isEqualTo("card_arrival");
        assertThat(out.value().getSplit()).isIn(Split.TRAIN, Split.HOLDOUT);
        assertThat(rejected.isEmpty()).isTrue();
        assertThat(stats("banking").acceptedCount()).isEqualTo(1);
    }

    @Test
    void everyRuleHasItsOwnReason() {
        publish("Bad Domain", example("1", "Bad Domain", "text", "label"));
        publish("other", example("2", "banking", "text", "label"));
        publish("banking", example("", "banking", "text", "label"));
        publish("banking", example("4", "banking", " \u200B\t", "label"));
        publish("banking", example("5", "banking", "x".repeat(201), "label"));
        publish("banking", example("6", "banking", "text", "  "));
        publish("banking", example("7", "banking", "text", "l".repeat(21)));
        publish("banking", LabeledExample.newBuilder(example("8", "banking", "text", "label")).setEventTime(null).build());
        publish("banking", LabeledExample.newBuilder(example("9", "banking", "text", "label"))
                .setEventTime(Instant.parse("1970-01-02T00:00:00Z")).build());
        publish("banking", LabeledExample.newBuilder(example("10", "banking", "text", "label"))
                .setEventTime(NOW.plus(Duration.ofDays(30))).build());
        examples.pipeInput("banking".getBytes(StandardCharsets.UTF_8), new byte[] {0x13, 0x37, 0x00});

        List<RejectedRecord> refused = rejected.readValuesToList();
        assertThat(refused).extracting(RejectedRecord::getReason).containsExactly(
                RejectionReason.INVALID_DOMAIN.code(), RejectionReason.KEY_DOMAIN_MISMATCH.code(),
                RejectionReason.BLANK_ID.code(), RejectionReason.BLANK_TEXT.code(),
                RejectionReason.TEXT_TOO_LONG.code(), RejectionReason.BLANK_LABEL.code(),
                RejectionReason.LABEL_TOO_LONG.code(), RejectionReason.MISSING_EVENT_TIME.code(),
                RejectionReason.ABSURD_EVENT_TIME.code(), RejectionReason.ABSURD_EVENT_TIME.code(),
                RejectionReason.UNDECODABLE.code());
        assertThat(refused).allSatisfy(record -> {
            assertThat(record.getDetail()).isNotBlank();
            assertThat(record.getSourceTopic()).isEqualTo(topics.examples());
            assertThat(record.getRejectedBy()).isEqualTo("ingest");
        });
        assertThat(refused).extracting(RejectedRecord::getSourceOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L,
                7L, 8L, 9L, 10L);
        RejectedRecord undecodable = refused.get(10);
        assertThat(bytes(undecodable.getOriginalValue())).containsExactly(0x13, 0x37, 0x00);
        assertThat(undecodable.getDetail()).startsWith("UNKNOWN_FORMAT");
        assertThat(accepted.isEmpty()).isTrue();
        assertThat(stats("banking").rejectedCount()).as("counted under the record's domain, or else its key")
                .isEqualTo(10);
        assertThat(stats(StatsStore.UNKNOWN_DOMAIN).rejectedCount()).isEqualTo(1);
    }

    @Test
    void dropsExactDuplicatesAndForwardsLabelCorrections() {
        publish("banking", example("1", "banking", "Top up failed", "top_up_failed"));
        publish("banking", example("2", "banking", "Top   up failed ", "top_up_failed"));
        publish("banking", example("3", "banking", "Top up failed", "top_up_reverted"));
        publish("travel", example("4", "travel", "Top up failed", "top_up_failed"));

        List<TestRecord<String, LabeledExample>> out = accepted.readRecordsToList();
        assertThat(out).extracting(record -> record.value().getId()).containsExactly("1", "3", "4");
        assertThat(out.get(1).headers().lastHeader(ExampleHeaders.CORRECTION)).isNotNull();
        assertThat(out.get(0).headers().lastHeader(ExampleHeaders.CORRECTION)).isNull();
        assertThat(out.get(1).value().getSplit()).as("a correction keeps its text's split")
                .isEqualTo(out.get(0).value().getSplit());
        DomainStats banking = stats("banking");
        assertThat(banking.acceptedCount()).isEqualTo(2);
        assertThat(banking.duplicateCount()).isEqualTo(1);
        assertThat(banking.correctionCount()).isEqualTo(1);
        assertThat(banking.labels()).containsEntry("top_up_failed", 1L).containsEntry("top_up_reverted", 1L);
    }

    @Test
    void forgetsATextOnceTheDedupRetentionHasPassedWithoutAnyScan() {
        Duration retention = Duration.ofDays(7);
        publish("banking", example("1", "banking", "Where is my card?", "card_arrival"), NOW);
        publish("banking", example("2", "banking", "Where is my card?", "card_arrival"), NOW.plus(Duration.ofDays(6)));
        publish("banking", example("3", "banking", "Where is my card?", "card_arrival"),
                NOW.plus(retention).plusSeconds(1));

        List<TestRecord<String, LabeledExample>> out = accepted.readRecordsToList();
        assertThat(out).extracting(record -> record.value().getId()).as("the sighting at day 0 is older than the "
                + "retention at day 7; the one at day 6 is not (it was dropped, not remembered)")
                .containsExactly("1", "3");
        assertThat(out.get(1).headers().lastHeader(ExampleHeaders.CORRECTION)).isNull();

        publish("banking", example("4", "banking", "Another text", "card_arrival"), NOW.plus(retention.multipliedBy(3)));
        WindowStore<String, String> seen = driver.getWindowStore(DedupProcessor.STORE);
        try (KeyValueIterator<Windowed<String>, String> all = seen.all()) {
            List<Instant> kept = new ArrayList<>();
            all.forEachRemaining(entry -> kept.add(entry.key.window().startTime()));
            assertThat(kept).as("segments older than the retention are dropped by the store as stream time advances")
                    .containsExactly(NOW.plus(retention.multipliedBy(3)).truncatedTo(ChronoUnit.MILLIS));
        }
    }

    /** Predictions in either format serving writes (the third as JSON) are joined alike. */
    @Test
    void joinsPredictionsWithTheirLaterLabelsIntoPrequentialAccuracy() {
        predict("r1", "card_arrival", 3, NOW);
        predict("r2", "card_arrival", 3, NOW.plusSeconds(1));
        predict("r3", "top_up", 4, NOW.plusSeconds(2), new JsonSerializer<>());
        publish("banking", LabeledExample.newBuilder(example("a", "banking", "Where is my card?", "card_arrival"))
                .setRequestId("r1").build(), NOW.plusSeconds(5));
        publish("banking", LabeledExample.newBuilder(example("b", "banking", "It never came", "lost_card"))
                .setRequestId("r2").build(), NOW.plusSeconds(6));
        publish("banking", LabeledExample.newBuilder(example("c", "banking", "Top up please", "top_up"))
                .setRequestId("r3").build(), NOW.plusSeconds(7));
        publish("banking", LabeledExample.newBuilder(example("d", "banking", "No such request", "top_up"))
                .setRequestId("r-unknown").build(), NOW.plusSeconds(8));
        predictions.pipeInput("banking".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});

        List<DomainMetrics> reported = metrics.readValuesToList();
        DomainMetrics version3 = reported.stream().filter(m -> m.getVersion() == 3).reduce((a, b) -> b).orElseThrow();
        DomainMetrics version4 = reported.stream().filter(m -> m.getVersion() == 4).reduce((a, b) -> b).orElseThrow();
        assertThat(version3.getCount()).isEqualTo(2);
        assertThat(version3.getCorrect()).isEqualTo(1);
        assertThat(version3.getAccuracy()).isEqualTo(0.5);
        assertThat(version4.getAccuracy()).isEqualTo(1.0);
        assertThat(version3.getWindowEnd()).isAfter(version3.getWindowStart());
        assertThat(rejected.readValuesToList()).extracting(RejectedRecord::getSourceTopic)
                .containsExactly(topics.predictResults());
    }

    private void publish(String key, LabeledExample example) {
        publish(key, example, NOW);
    }

    private void publish(String key, LabeledExample example, Instant time) {
        examples.pipeInput(new TestRecord<>(key.getBytes(StandardCharsets.UTF_8),
                RecordSerdes.labeledExample().serialize(topics.examples(), example), time));
    }

    private void predict(String requestId, String label, int version, Instant time) {
        predict(requestId, label, version, time, RecordSerdes.prediction());
    }

    /** A prediction as serving writes it, in the format its {@code output.format} says. */
    private void predict(String requestId, String label, int version, Instant time, Serializer<Prediction> format) {
        Prediction prediction = Prediction.newBuilder().setRequestId(requestId).setDomain("banking").setLabel(label)
                .setScores(List.of(new LabelScore(label, 0.9))).setVersion(version).setAlias("production")
                .setLatencyMs(3.0).setTruncated(false).setEventTime(time).build();
        predictions.pipeInput(new TestRecord<>("banking".getBytes(StandardCharsets.UTF_8),
                format.serialize(topics.predictResults(), prediction), time));
    }

    static LabeledExample example(String id, String domain, String text, String label) {
        return LabeledExample.newBuilder().setId(id).setDomain(domain).setText(text).setLabel(label)
                .setEventTime(NOW).build();
    }

    private DomainStats stats(String domain) {
        KeyValueStore<String, String> store = driver.getKeyValueStore(StatsStore.NAME);
        return DomainStats.fromJson(store.get(domain));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
