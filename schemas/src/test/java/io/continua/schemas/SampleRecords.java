package io.continua.schemas;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated instance of every record type, for round-trip tests. */
public final class SampleRecords {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private SampleRecords() {
    }

    public static LabeledExample labeledExample(String id) {
        return LabeledExample.newBuilder()
                .setId(id).setDomain("banking").setText("How do I top up my card?").setLabel("top_up")
                .setEventTime(NOW).setRequestId("req-" + id).setSplit(Split.HOLDOUT).build();
    }

    public static List<SpecificRecord> everyType() {
        return List.of(
                labeledExample("ex-1"),
                RejectedRecord.newBuilder()
                        .setReason("undecodable").setDetail("CORRUPT: bad body").setDomain("banking")
                        .setSourceTopic("continua.examples").setSourcePartition(2).setSourceOffset(42L)
                        .setOriginalKey(java.nio.ByteBuffer.wrap(new byte[] {1, 2}))
                        .setOriginalValue(java.nio.ByteBuffer.wrap(new byte[] {3, 4, 5}))
                        .setRejectedBy("ingest").setRejectedAt(NOW).build(),
                PredictionRequest.newBuilder()
                        .setRequestId("req-1").setDomain("banking").setText("card arrived?")
                        .setVersion(3).setAlias(null).setEventTime(NOW).build(),
                Prediction.newBuilder()
                        .setRequestId("req-1").setDomain("banking").setLabel("card_arrival")
                        .setScores(List.of(new LabelScore("card_arrival", 0.9), new LabelScore("top_up", 0.05)))
                        .setVersion(3).setAlias("production").setLatencyMs(4.5).setTruncated(true)
                        .setEventTime(NOW).build(),
                DeltaVersion.newBuilder()
                        .setDomain("banking").setVersion(7).setKind("lora").setSha256("ab".repeat(32))
                        .setSizeBytes(300_000L).setBaseModel("all-minilm-l6-v2:1234").setLabels(List.of("a", "b"))
                        .setParentVersion(6).setHyperparameters(Map.of("r", "8", "alpha", "16"))
                        .setMetrics(Map.of("holdout_accuracy", 0.91))
                        .setTrainedOn(List.of(new OffsetRange("continua.examples.accepted", 0, 10L, 74L)))
                        .setTrainWallMs(1234L).setCreatedBy("trainer").setCreatedAt(NOW).setDeleted(false).build(),
                AliasPointer.newBuilder()
                        .setDomain("banking").setAlias("production").setVersion(7).setPreviousVersion(6)
                        .setReason("auto: holdout accuracy 0.91 >= 0.90").setActor("policy:auto").setMovedAt(NOW).build(),
                DomainConfig.newBuilder()
                        .setDomain("banking").setKind("lora").setHyperparameters(Map.of("r", "8"))
                        .setPromotionPolicy("auto").setPromotionMetric("holdout_accuracy").setPromotionMargin(0.01)
                        .setUpdatedBy("admin").setUpdatedAt(NOW).build(),
                DomainMetrics.newBuilder()
                        .setDomain("banking").setVersion(7).setCorrect(90L).setCount(100L).setAccuracy(0.9)
                        .setWindowStart(NOW.minusSeconds(60)).setWindowEnd(NOW).build(),
                new RegisteredSchema("continua.examples-value", 2, 1234567, "{\"type\": \"string\"}", "producer", NOW),
                new SubjectCompatibility("continua.examples-value", "FULL", "admin", NOW));
    }
}
