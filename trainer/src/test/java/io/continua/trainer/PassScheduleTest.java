package io.continua.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The rate follows the training still owed to a batch's examples, between the floor and the full rate. */
class PassScheduleTest {
    private final PassSchedule schedule = new PassSchedule(4, 0.1);

    @Test
    void newExamplesTrainAtTheFullRateAndEachPassLowersIt() {
        assertThat(schedule.scale(IntStream.of(0, 0, 0))).isEqualTo(1.0);
        assertThat(schedule.scale(IntStream.of(1, 1))).isEqualTo(0.75);
        assertThat(schedule.scale(IntStream.of(3, 3))).isEqualTo(0.25);
        assertThat(schedule.scale(IntStream.of(0, 2))).as("half new, half on their third pass").isEqualTo(0.75);
    }

    @Test
    void neverFallsBelowTheFloor() {
        assertThat(schedule.scale(IntStream.of(4, 7))).isEqualTo(0.1);
        assertThat(new PassSchedule(1, 0.1).scale(IntStream.of(1))).isEqualTo(0.1);
    }

    @Test
    void refusesASettingThatWouldStopLearning() {
        assertThatThrownBy(() -> new PassSchedule(4, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PassSchedule(0, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
