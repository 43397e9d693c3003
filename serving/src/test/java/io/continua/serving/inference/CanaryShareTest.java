package io.continua.serving.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A canary's share is drawn by request key: the same key always the same side, keys spread evenly. */
class CanaryShareTest {
    @Test
    void theSameKeyFallsOnTheSameSideAndSequentialKeysSpreadEvenly() {
        assertThat(Predictions.share("user-42")).isEqualTo(Predictions.share("user-42"));
        // Ids that differ in their last character only, as request ids often do, must not bunch up.
        long below = IntStream.range(0, 10_000).filter(i -> Predictions.share("req-" + i) < 0.1).count();
        assertThat(below).isBetween(900L, 1100L);
        assertThat(IntStream.range(0, 1000).mapToDouble(i -> Predictions.share("k" + i)))
                .allSatisfy(share -> assertThat(share).isBetween(0.0, 1.0).isLessThan(1.0));
    }
}
