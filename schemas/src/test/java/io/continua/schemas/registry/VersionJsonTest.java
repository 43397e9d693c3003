package io.continua.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continua.schemas.Comparison;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A version the registry shows is the version its clients read back, every field of it. */
class VersionJsonTest {
    @BeforeAll
    static void trustRecords() {
        AvroSerde.trustContinuaRecords();
    }

    @Test
    void everyFieldSurvivesTheWire() throws Exception {
        DeltaVersion full = DeltaVersion.newBuilder().setDomain("banking").setVersion(7).setKind("lora")
                .setSha256("ab12").setSizeBytes(143_000).setBaseModel("minilm@1").setLabels(List.of("a", "b"))
                .setParentVersion(6).setHyperparameters(Map.of("r", "8", "learning_rate", "0.001"))
                .setMetrics(Map.of("holdout_accuracy", 0.91, "holdout_loss", 0.3))
                .setTrainedOn(List.of(new OffsetRange("continua.examples.accepted", 1, 100L, 250L),
                        new OffsetRange("continua.examples.accepted", 3, 0L, 40L)))
                .setTrainWallMs(5_120L).setCreatedBy("trainer").setCreatedAt(Instant.parse("2026-11-26T10:15:30.123Z"))
                .setDeleted(true)
                .setComparison(new Comparison(6, 400, 77, Map.of("holdout_accuracy", 0.9)))
                .build();

        assertThat(VersionJson.fromJson(overTheWire(VersionJson.toJson(full, List.of("production"))))).isEqualTo(full);
    }

    @Test
    void optionalFieldsStayAbsent() throws Exception {
        DeltaVersion first = DeltaVersion.newBuilder().setDomain("shop").setVersion(1).setKind("head").setSha256("00")
                .setSizeBytes(10).setBaseModel("m").setLabels(List.of("x")).setCreatedBy("ops")
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z")).build();

        JsonNode json = overTheWire(VersionJson.toJson(first, List.of()));
        assertThat(json.path("parentVersion").isNull()).isTrue();
        assertThat(VersionJson.fromJson(json)).isEqualTo(first);
    }

    private static JsonNode overTheWire(JsonNode json) throws Exception {
        return new ObjectMapper().readTree(json.toString());
    }
}
