package io.continua.registry.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

/** The interval against published values, and its edges: no labels, all right, all wrong. */
class WilsonIntervalTest {
    @Test
    void matchesPublishedValues() {
        assertThat(NormalQuantile.twoSided(0.95)).isCloseTo(1.959964, offset(1e-6));
        assertThat(NormalQuantile.twoSided(0.99)).isCloseTo(2.575829, offset(1e-6));
        assertThat(NormalQuantile.inverse(0.001)).isCloseTo(-3.090232, offset(1e-6));
        WilsonInterval interval = WilsonInterval.of(8, 10, 0.95);
        assertThat(interval.low()).isCloseTo(0.4902, offset(1e-4));
        assertThat(interval.high()).isCloseTo(0.9433, offset(1e-4));
        WilsonInterval wider = WilsonInterval.of(8, 10, 0.99);
        assertThat(wider.low()).isLessThan(interval.low());
        assertThat(wider.high()).isGreaterThan(interval.high());
    }

    @Test
    void staysWithinZeroAndOneAtTheEdges() {
        assertThat(WilsonInterval.of(0, 0, 0.95)).isEqualTo(new WilsonInterval(0, 1));
        WilsonInterval perfect = WilsonInterval.of(50, 50, 0.95);
        assertThat(perfect.high()).isCloseTo(1.0, offset(1e-12));
        assertThat(perfect.low()).isCloseTo(0.9287, offset(1e-4));
        WilsonInterval none = WilsonInterval.of(0, 50, 0.95);
        assertThat(none.low()).isEqualTo(0.0);
        assertThat(none.high()).isCloseTo(0.0713, offset(1e-4));
        assertThatThrownBy(() -> NormalQuantile.twoSided(1.0)).hasMessageContaining("strictly between");
    }
}
