package io.continua.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.schemas.OffsetRange;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What a version claims to have learned from, and what the trainer may commit, follow the registrations. */
class LineageTest {
    private static final String TOPIC = "continua.examples.accepted";

    @Test
    void recordsBelowTheRegisteredOffsetsAreNotTrainedTwice() {
        Lineage lineage = new Lineage(TOPIC, Map.of(0, 100L));

        assertThat(lineage.alreadyRegistered(0, 99)).isTrue();
        assertThat(lineage.alreadyRegistered(0, 100)).isFalse();
        assertThat(lineage.alreadyRegistered(1, 0)).as("a partition no version covers").isFalse();
    }

    @Test
    void rangesFollowEachOtherWithoutGapOrOverlap() {
        Lineage lineage = new Lineage(TOPIC, Map.of(0, 100L));
        lineage.read(0, 100);
        lineage.read(0, 105);
        lineage.trainedUpTo(0, 106);
        lineage.read(1, 7);
        lineage.trainedUpTo(1, 8);

        assertThat(lineage.pendingRanges()).containsExactly(new OffsetRange(TOPIC, 0, 100L, 106L),
                new OffsetRange(TOPIC, 1, 0L, 8L));
        lineage.registered();
        assertThat(lineage.pendingRanges()).isEmpty();
        assertThat(lineage.alreadyRegistered(0, 105)).isTrue();

        lineage.read(0, 106);
        lineage.trainedUpTo(0, 150);
        assertThat(lineage.pendingRanges()).containsExactly(new OffsetRange(TOPIC, 0, 106L, 150L));
    }

    @Test
    void commitsNeverPassWorkNoVersionCarriesYet() {
        Lineage lineage = new Lineage(TOPIC, Map.of(0, 100L));
        assertThat(lineage.safeCommit(0)).as("nothing read, nothing held back").isEqualTo(OptionalLong.empty());

        lineage.read(0, 120);
        assertThat(lineage.safeCommit(0)).as("read, not trained").hasValue(120);

        lineage.trainedUpTo(0, 121);
        lineage.read(0, 130);
        assertThat(lineage.safeCommit(0)).as("trained but unregistered work starts at the registered end")
                .hasValue(100);

        lineage.registered();
        assertThat(lineage.safeCommit(0)).as("registered; what was read since is not trained yet").hasValue(130);
    }
}
