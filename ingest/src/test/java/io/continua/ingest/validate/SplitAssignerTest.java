package io.continua.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.schemas.Split;
import org.junit.jupiter.api.Test;

class SplitAssignerTest {
    @Test
    void aTextAlwaysLandsInTheSameSplitAndAboutTheConfiguredShareIsHeldOut() {
        SplitAssigner first = new SplitAssigner(0.1);
        SplitAssigner second = new SplitAssigner(0.1);
        int holdout = 0;
        for (int i = 0; i < 20_000; i++) {
            Split split = first.assign("banking", "text number " + i);
            assertThat(second.assign("banking", "text number " + i)).isEqualTo(split);
            holdout += split == Split.HOLDOUT ? 1 : 0;
        }
        assertThat(holdout).isBetween(1_850, 2_150);
    }

    @Test
    void theDomainIsPartOfTheHash() {
        SplitAssigner splits = new SplitAssigner(0.5);
        long differ = java.util.stream.IntStream.range(0, 200)
                .filter(i -> splits.assign("a", "t" + i) != splits.assign("b", "t" + i)).count();
        assertThat(differ).isGreaterThan(50);
    }
}
