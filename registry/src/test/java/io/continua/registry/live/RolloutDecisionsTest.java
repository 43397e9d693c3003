package io.continua.registry.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.registry.live.RolloutDecisions.Move;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.DomainMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each decision of the automatic rollout policy, from live windows built by hand. */
class RolloutDecisionsTest {
    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");
    private static final DomainConfig AUTO = DomainConfig.newBuilder().setDomain("d").setKind("lora")
            .setRolloutMode("shadow").setRolloutPolicy("auto").setRolloutMinLabels(50).setRolloutMargin(0.0)
            .setUpdatedBy("t").setUpdatedAt(T0).build();

    private final LiveAccuracy live = new LiveAccuracy(0.95, Duration.ofDays(7),
            Clock.fixed(T0.plus(Duration.ofDays(30)), ZoneOffset.UTC), new SimpleMeterRegistry());
    private final Looks looks = new Looks();

    @Test
    void aCandidateClearlyBetterOverTheSameTimeIsPromoted() {
        window(4, 60, 100, 10);
        window(5, 85, 100, 10);
        Optional<Move> move = decide(production(4, 3, "policy:auto", 0), candidate(5, 5));
        assertThat(move).hasValueSatisfying(promotion -> {
            assertThat(promotion.alias()).isEqualTo("production");
            assertThat(promotion.version()).isEqualTo(5);
            assertThat(promotion.actor()).isEqualTo(RolloutDecisions.PROMOTE);
            assertThat(promotion.reason()).contains("candidate v5 live 0.850 (100 labels)")
                    .contains("production v4's 0.600 (100 labels)").contains("promoted");
        });
    }

    @Test
    void aCandidateClearlyWorseIsRetiredAndACloseOneWaits() {
        window(4, 85, 100, 10);
        window(5, 60, 100, 10);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).hasValueSatisfying(retire -> {
            assertThat(retire.alias()).isEqualTo("candidate");
            assertThat(retire.version()).isEqualTo(4);
            assertThat(retire.actor()).isEqualTo(RolloutDecisions.RETIRE);
        });
        window(6, 84, 100, 20);
        window(4, 85, 100, 20);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(6, 15))).as("within noise").isEmpty();
    }

    @Test
    void nothingMovesOnTooFewLabelsForAHeldProductionOrAManualPolicy() {
        window(4, 20, 40, 10);
        window(5, 40, 40, 10);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).as("40 labels < 50").isEmpty();
        window(4, 60, 100, 11);
        window(5, 100, 100, 11);
        AliasPointer held = AliasPointer.newBuilder(production(4, 3, "ops", 0)).setHeld(true).build();
        assertThat(decide(held, candidate(5, 5))).isEmpty();
        DomainConfig manual = DomainConfig.newBuilder(AUTO).setRolloutPolicy("manual").build();
        assertThat(RolloutDecisions.decide(manual, production(4, 3, "policy:auto", 0), Optional.of(candidate(5, 5)),
                version -> true, Set.of(), live, new Looks())).isEmpty();
        AliasPointer heldCandidate = AliasPointer.newBuilder(candidate(5, 5)).setHeld(true).build();
        window(6, 10, 100, 12);
        window(4, 90, 100, 12);
        assertThat(decide(production(4, 3, "policy:auto", 0), heldCandidate)).as("a held candidate stays").isEmpty();
    }

    @Test
    void productionDoingWorseThanTheVersionBeforeItIsRolledBackButARollbackIsNot() {
        // Version 3 served before minute 30 and did well; version 4 took over then and does badly.
        window(3, 90, 100, 0);
        window(3, 88, 100, 10);
        window(4, 30, 100, 31);
        Optional<Move> move = decide(production(4, 3, "ops", 30), Optional.empty());
        assertThat(move).hasValueSatisfying(rollback -> {
            assertThat(rollback.alias()).isEqualTo("production");
            assertThat(rollback.version()).isEqualTo(3);
            assertThat(rollback.actor()).isEqualTo(RolloutDecisions.ROLLBACK);
            assertThat(rollback.reason()).contains("production v4 live 0.300 (100 labels)")
                    .as("the same number of v3's labels, the latest before the move").contains("v3's 0.880 (100 labels)")
                    .contains("rolled back");
        });
        // Back on 3, which now does even worse than 4 did: a rollback is still not undone.
        window(3, 5, 100, 33);
        assertThat(decide(production(3, 4, RolloutDecisions.ROLLBACK, 32), Optional.empty())).isEmpty();
        assertThat(decide(production(3, 4, "ops", 32), Optional.empty())).as("the same move by hand would be")
                .hasValueSatisfying(rollback -> assertThat(rollback.version()).isEqualTo(4));
        assertThat(RolloutDecisions.decide(AUTO, production(4, 3, "ops", 30), Optional.empty(), version -> version != 3,
                Set.of(), live, looks)).as("the version before it was deleted").isEmpty();
    }

    @Test
    void aVersionRolledBackFromIsNeverPromotedAgain() {
        window(3, 60, 100, 10);
        window(4, 95, 100, 10);
        assertThat(firstLook(production(3, 4, RolloutDecisions.ROLLBACK, 5), Optional.of(candidate(4, 5)), Set.of(4)))
                .isEmpty();
        assertThat(firstLook(production(3, 4, RolloutDecisions.ROLLBACK, 5), Optional.of(candidate(4, 5)), Set.of()))
                .as("were it not rolled back").hasValueSatisfying(promotion -> assertThat(promotion.version()).isEqualTo(4));
    }

    @Test
    void decisionsLookOnlyAtTheLabelsUpToTheLastCheckpoint() {
        // 150 labels each: the checkpoints are at 50 and 100, so the last 50 are not looked at until 200.
        window(4, 60, 100, 10);
        window(5, 85, 100, 10);
        window(4, 50, 50, 11);
        window(5, 0, 50, 11);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).hasValueSatisfying(move -> {
            assertThat(move.actor()).isEqualTo(RolloutDecisions.PROMOTE);
            assertThat(move.reason()).contains("0.850 (100 labels)").contains("checkpoint 2 (98.75 % confidence");
        });
        window(4, 50, 50, 12);
        window(5, 0, 50, 12);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).as("at 200 the later labels count")
                .hasValueSatisfying(move -> assertThat(move.actor()).isEqualTo(RolloutDecisions.RETIRE));
    }

    @Test
    void eachCheckpointIsLookedAtOnceThoughItsWindowKeepsGrowing() {
        window(4, 30, 50, 10);
        window(5, 33, 50, 10);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).as("within noise at 50").isEmpty();
        // The same open window, updated: far apart now, but still the first checkpoint, which was looked at.
        window(4, 36, 70, 10);
        window(5, 69, 70, 10);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).as("looked at 50 already").isEmpty();
        assertThat(firstLook(production(4, 3, "policy:auto", 0), Optional.of(candidate(5, 5)), Set.of()))
                .as("a first look would promote").isPresent();
        window(4, 20, 30, 11);
        window(5, 30, 30, 11);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).as("the next checkpoint, at 100")
                .hasValueSatisfying(move -> assertThat(move.reason()).contains("checkpoint 2"));
    }

    @Test
    void aRollbackComparesWithAllThePreviousVersionHadAndNeverReturnsToAVersionRolledBackFrom() {
        // Version 3 had 60 labels before version 4 took over at minute 30; 4 has 120 (checkpoint 2, at 100).
        window(3, 54, 60, 10);
        window(4, 36, 120, 31);
        assertThat(decide(production(4, 3, "ops", 30), Optional.empty())).hasValueSatisfying(rollback -> assertThat(
                rollback.reason()).contains("v4 live 0.300 (120 labels)").contains("v3's 0.900 (60 labels)"));
        // Rolled back from 4 to 3, then held and released: a person is the pointer's actor, 4 stays left.
        window(3, 5, 100, 33);
        assertThat(firstLook(production(3, 4, "ops", 32), Optional.empty(), Set.of(4))).isEmpty();
        assertThat(firstLook(production(3, 4, "ops", 32), Optional.empty(), Set.of()))
                .as("were 4 not rolled back from").isPresent();
    }

    @Test
    void aMoveNotWrittenIsDecidedAgainAndAComparisonOlderThanTheWindowsKeptApartIsLeftAlone() {
        window(4, 60, 100, 10);
        window(5, 85, 100, 10);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).isPresent();
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).as("its write failed: looked again")
                .isPresent();
        // Eight days on, the windows of minute 10 are summed away: the comparison since minute 5 is not decided on
        // the windows left, though they alone would promote.
        window(4, 60, 100, 8 * 24 * 60);
        window(5, 85, 100, 8 * 24 * 60);
        assertThat(decide(production(4, 3, "policy:auto", 0), candidate(5, 5))).isEmpty();
    }

    private Optional<Move> decide(AliasPointer production, AliasPointer candidate) {
        return decide(production, Optional.of(candidate));
    }

    private Optional<Move> decide(AliasPointer production, Optional<AliasPointer> candidate) {
        return RolloutDecisions.decide(AUTO, production, candidate, version -> true, Set.of(), live, looks);
    }

    /** A decision by a policy that has looked at no checkpoint before. */
    private Optional<Move> firstLook(AliasPointer production, Optional<AliasPointer> candidate, Set<Integer> rolledBack) {
        return RolloutDecisions.decide(AUTO, production, candidate, version -> true, rolledBack, live, new Looks());
    }

    /** A one-minute window starting {@code minute} minutes after T0. */
    private void window(int version, long correct, long count, int minute) {
        Instant start = T0.plus(Duration.ofMinutes(minute));
        live.apply(DomainMetrics.newBuilder().setDomain("d").setVersion(version).setCorrect(correct).setCount(count)
                .setAccuracy((double) correct / count).setWindowStart(start).setWindowEnd(start.plusSeconds(60))
                .build());
    }

    private static AliasPointer production(int version, int previous, String actor, int movedAtMinute) {
        return AliasPointer.newBuilder().setDomain("d").setAlias("production").setVersion(version)
                .setPreviousVersion(previous).setReason("r").setActor(actor).setHeld(false)
                .setMovedAt(T0.plus(Duration.ofMinutes(movedAtMinute))).build();
    }

    private static AliasPointer candidate(int version, int movedAtMinute) {
        return AliasPointer.newBuilder().setDomain("d").setAlias("candidate").setVersion(version).setReason("r")
                .setActor("policy:auto").setHeld(false).setMovedAt(T0.plus(Duration.ofMinutes(movedAtMinute)))
                .build();
    }
}
