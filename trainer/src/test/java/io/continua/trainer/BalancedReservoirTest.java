package io.continua.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.data.LabeledText;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A bounded replay sample that keeps rare labels and samples each label's whole stream. */
class BalancedReservoirTest {
    @Test
    void staysWithinItsCapacityAndSharesItAcrossLabels() {
        BalancedReservoir reservoir = new BalancedReservoir(300, 1);
        for (int i = 0; i < 10_000; i++) {
            reservoir.add(new LabeledText("text " + i, i % 10 < 9 ? "frequent" : (i % 20 == 9 ? "rare" : "middle")));
        }
        for (int i = 0; i < 5; i++) {
            reservoir.add(new LabeledText("scarce " + i, "scarce"));
        }

        Map<String, Long> perLabel = reservoir.all().stream()
                .collect(Collectors.groupingBy(LabeledText::label, Collectors.counting()));
        assertThat(reservoir.size()).isLessThanOrEqualTo(300);
        assertThat(perLabel).containsEntry("frequent", 75L).containsEntry("middle", 75L).containsEntry("rare", 75L)
                .as("a label with fewer examples than its share keeps them all").containsEntry("scarce", 5L);
    }

    @Test
    void aNewLabelTakesItsShareFromTheOthers() {
        BalancedReservoir reservoir = new BalancedReservoir(10, 1);
        for (int i = 0; i < 10; i++) {
            reservoir.add(new LabeledText("a " + i, "a"));
        }
        reservoir.add(new LabeledText("b 0", "b"));

        assertThat(reservoir.all()).filteredOn(text -> text.label().equals("a")).hasSize(5);
        assertThat(reservoir.all()).filteredOn(text -> text.label().equals("b")).hasSize(1);
    }

    @Test
    void keepsAUniformSampleOfEachLabelsWholeStreamNotItsFirstOrLastExamples() {
        BalancedReservoir reservoir = new BalancedReservoir(200, 7);
        int stream = 20_000;
        for (int i = 0; i < stream; i++) {
            reservoir.add(new LabeledText(Integer.toString(i), "only"));
        }

        List<Integer> kept = reservoir.all().stream().map(text -> Integer.parseInt(text.text())).sorted().toList();
        assertThat(kept).hasSize(200);
        long early = kept.stream().filter(i -> i < stream / 4).count();
        long late = kept.stream().filter(i -> i >= 3 * stream / 4).count();
        assertThat(early).as("first quarter of the stream").isBetween(30L, 70L);
        assertThat(late).as("last quarter of the stream").isBetween(30L, 70L);
    }

    @Test
    void forgetsATextUnderEveryLabel() {
        BalancedReservoir reservoir = new BalancedReservoir(10, 1);
        reservoir.add(new LabeledText("where is my card", "card_arrival"));
        reservoir.add(new LabeledText("where is my card", "card_delivery"));
        reservoir.add(new LabeledText("top up failed", "top_up_failed"));

        reservoir.forget("where is my card");
        assertThat(reservoir.all()).containsExactly(new LabeledText("top up failed", "top_up_failed"));
    }

    @Test
    void drawsWithoutReplacement() {
        BalancedReservoir reservoir = new BalancedReservoir(50, 3);
        for (int i = 0; i < 40; i++) {
            reservoir.add(new LabeledText("t" + i, "l" + i % 4));
        }

        List<LabeledText> drawn = reservoir.sample(30);
        assertThat(drawn).hasSize(30).doesNotHaveDuplicates();
        assertThat(reservoir.sample(500)).hasSize(reservoir.size());
    }

    /** Training goes to what was learned least: every kept example gets its passes before any gets one more. */
    @Test
    void leastTrainedExamplesComeFirstAndTheOwedTrainingFallsToZero() {
        BalancedReservoir reservoir = new BalancedReservoir(100, 3, 3);
        for (int i = 0; i < 40; i++) {
            reservoir.add(new LabeledText("old " + i, i % 2 == 0 ? "a" : "b"), 2);
        }
        for (int i = 0; i < 10; i++) {
            reservoir.add(new LabeledText("new " + i, "a"));
        }
        assertThat(reservoir.owed()).isEqualTo(40 + 10 * 3);

        List<BalancedReservoir.Visit> first = reservoir.leastTrained(10);
        assertThat(first).allSatisfy(visit -> {
            assertThat(visit.example().text()).startsWith("new ");
            assertThat(visit.before()).isZero();
        });
        assertThat(reservoir.leastTrained(10)).extracting(BalancedReservoir.Visit::before).containsOnly(1);
        assertThat(reservoir.leastTrained(50)).extracting(BalancedReservoir.Visit::before)
                .as("the new ones catch up with the old before any old one goes on").containsOnly(2);
        assertThat(reservoir.owed()).isZero();

        reservoir.forgetVisits();
        assertThat(reservoir.owed()).isEqualTo(50 * 3);
    }

    /** The owed tally is kept as examples are replaced, shrunk away and forgotten: it always matches a recount. */
    @Test
    void theOwedTrainingMatchesARecountAfterReplacementsAndForgetting() {
        BalancedReservoir reservoir = new BalancedReservoir(30, 5, 2);
        java.util.Random visits = new java.util.Random(9);
        for (int i = 0; i < 1_000; i++) {
            reservoir.add(new LabeledText("text " + i, "label " + (i % 7)), visits.nextInt(4));
        }
        reservoir.all().stream().limit(3).toList().forEach(example -> reservoir.forget(example.text()));
        long owed = reservoir.owed();
        long recount = reservoir.leastTrained(reservoir.size()).stream()
                .mapToLong(visit -> Math.max(0, 2 - visit.before())).sum();
        assertThat(owed).isEqualTo(recount);
    }
}
