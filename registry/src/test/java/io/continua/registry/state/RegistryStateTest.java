package io.continua.registry.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.kafka.DeltaLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The view the log's one reader builds: plain records applied in order, no broker needed. */
class RegistryStateTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private final RegistryState state = new RegistryState();

    @Test
    void versionsAndAliasesFollowTheLogAndApplyingTwiceChangesNothing() {
        apply(version("banking", 1, "aa"), version("banking", 2, "bb"), move("banking", "production", 1, 1),
                move("banking", "production", 2, 2));
        RegistryState twice = new RegistryState();
        apply(twice, version("banking", 1, "aa"), version("banking", 2, "bb"), move("banking", "production", 1, 1),
                move("banking", "production", 2, 2));
        apply(twice, version("banking", 1, "aa"), version("banking", 2, "bb"), move("banking", "production", 1, 1),
                move("banking", "production", 2, 2));

        for (RegistryState view : List.of(state, twice)) {
            assertThat(view.lastVersion("banking")).isEqualTo(2);
            assertThat(view.alias("banking", "production").orElseThrow().getVersion()).isEqualTo(2);
            assertThat(view.aliasMoves("banking", "production")).isEqualTo(2);
            assertThat(view.aliasHistory("banking", "production")).extracting(AliasPointer::getVersion)
                    .containsExactly(1, 2);
            assertThat(view.aliasesOf("banking", 2)).containsExactly("production");
        }
    }

    @Test
    void aDeletedVersionStillCountsForNumberingButNotForItsArchive() {
        apply(version("banking", 1, "aa"), version("banking", 2, "aa"), version("travel", 1, "aa"));
        assertThat(state.liveVersionsUsing("aa".repeat(32))).isEqualTo(3);
        apply(DeltaLog.versionKey("banking", 2), DeltaVersion.newBuilder(version("banking", 2, "aa")).setDeleted(true)
                .build());
        assertThat(state.liveVersionsUsing("aa".repeat(32))).isEqualTo(2);
        assertThat(state.lastVersion("banking")).as("numbers are never reused").isEqualTo(2);
        assertThat(state.versions("banking")).hasSize(2);
    }

    @Test
    void aRemovedAliasIsGoneButItsHistoryStays() {
        apply(version("banking", 1, "aa"), move("banking", "staging", 1, 1));
        AliasPointer removed = new AliasPointer("banking", "staging", null, 1, "done", "ops", false, NOW);
        state.apply(DeltaLog.aliasHistoryKey("banking", "staging", 2), removed);
        state.apply(DeltaLog.aliasKey("banking", "staging"), removed);
        assertThat(state.alias("banking", "staging")).isEmpty();
        assertThat(state.aliasHistory("banking", "staging")).hasSize(2);
        assertThat(state.aliases("banking")).isEqualTo(Map.of());
    }

    private void apply(Object... keyedRecords) {
        apply(state, keyedRecords);
    }

    /** Each argument is a record (its key derived) or a key followed by its record. */
    private static void apply(RegistryState view, Object... records) {
        for (int i = 0; i < records.length; i++) {
            if (records[i] instanceof String key) {
                view.apply(key, (org.apache.avro.specific.SpecificRecord) records[++i]);
            } else if (records[i] instanceof DeltaVersion version) {
                view.apply(DeltaLog.versionKey(version.getDomain(), version.getVersion()), version);
            } else if (records[i] instanceof Keyed keyed) {
                view.apply(keyed.key(), keyed.pointer());
                view.apply(DeltaLog.aliasKey(keyed.pointer().getDomain(), keyed.pointer().getAlias()), keyed.pointer());
            }
        }
    }

    /** A move of an alias: its history entry (then its current pointer). */
    private record Keyed(String key, AliasPointer pointer) {
    }

    private static Keyed move(String domain, String alias, int version, long move) {
        return new Keyed(DeltaLog.aliasHistoryKey(domain, alias, move),
                new AliasPointer(domain, alias, version, null, "test", "ops", false, NOW));
    }

    private static DeltaVersion version(String domain, int version, String shaPrefix) {
        return DeltaVersion.newBuilder().setDomain(domain).setVersion(version).setKind("head")
                .setSha256(shaPrefix.repeat(32)).setSizeBytes(10L).setBaseModel("base").setLabels(List.of("a"))
                .setHyperparameters(Map.of()).setMetrics(Map.of()).setTrainedOn(List.of()).setCreatedBy("trainer")
                .setCreatedAt(NOW).setDeleted(false).build();
    }
}
