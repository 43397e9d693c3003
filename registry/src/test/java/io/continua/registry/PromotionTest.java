package io.continua.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.Comparison;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.serde.AvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PromotionTest {
    @BeforeAll
    static void trustRecords() {
        AvroSerde.trustContinuaRecords();
    }


    @Test
    void pairedEvidenceNoWorseThanProductionPromotes() {
        Promotion.Decision decision = Promotion.decide(DomainConfigs.defaults("shop"), Optional.of(production(1, false)),
                Optional.of(version(1, null)), version(2, comparedWith(1, "holdout_accuracy", 0.8)));
        assertThat(decision.promote()).as(decision.reason()).isTrue();
    }

    /** The same evidence while an operator holds production: the policy leaves it where it is, and says why. */
    @Test
    void aHeldProductionIsNotMovedByThePolicy() {
        Promotion.Decision decision = Promotion.decide(DomainConfigs.defaults("shop"), Optional.of(production(1, true)),
                Optional.of(version(1, null)), version(2, comparedWith(1, "holdout_accuracy", 0.99)));
        assertThat(decision.promote()).isFalse();
        assertThat(decision.reason()).contains("held at version 1 by ops");
    }

    /** A configuration written before metrics were checked may name any metric: uploads must still succeed. */
    @Test
    void anUnknownMetricKeepsProductionWithItsReason() {
        DomainConfig config = DomainConfig.newBuilder(DomainConfigs.defaults("shop")).setPromotionMetric("acuracy")
                .build();
        Promotion.Decision decision = Promotion.decide(config, Optional.of(production(1, false)),
                Optional.of(version(1, null)), version(2, comparedWith(1, "acuracy", 0.8)));
        assertThat(decision.promote()).isFalse();
        assertThat(decision.reason()).contains("unknown promotion metric 'acuracy'");
    }

    private static AliasPointer production(int version, boolean held) {
        return new AliasPointer("shop", "production", version, null, "test", "ops", held, Instant.EPOCH);
    }

    private static Comparison comparedWith(int version, String metric, double value) {
        return Comparison.newBuilder().setVersion(version).setExamples(100).setLabelsCovered(2)
                .setMetrics(Map.of(metric, value)).build();
    }

    private static DeltaVersion version(int number, Comparison comparison) {
        return DeltaVersion.newBuilder().setDomain("shop").setVersion(number).setKind("head").setSha256("00")
                .setSizeBytes(1).setBaseModel("base").setLabels(List.of("a", "b")).setCreatedBy("trainer")
                .setCreatedAt(Instant.EPOCH).setMetrics(Map.of("holdout_accuracy", 0.9, "acuracy", 0.9))
                .setComparison(comparison).build();
    }
}
