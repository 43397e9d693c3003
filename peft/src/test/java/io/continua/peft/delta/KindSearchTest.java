package io.continua.peft.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kind: auto's candidates, budget and choice rule. */
class KindSearchTest {
    private static final DeltaConfig HEAD = new HeadConfig();
    private static final DeltaConfig IA3 = Ia3Config.defaults();
    private static final DeltaConfig LORA = DeltaConfigs.parse(Map.of("kind", "lora", "r", "8"));

    @Test
    void defaultsTryEveryRankOfRankedKindsWithinTheBudget() {
        KindSearch search = KindSearch.parse(Map.of());
        assertThat(search.candidates()).extracting(config -> config.hyperparameters().get("kind"))
                .containsExactly("head", "ia3", "lora", "lora", "loreft", "loreft", "adapter");
        assertThat(search.candidates().get(2).hyperparameters()).containsEntry("r", "4");
        assertThat(search.candidates().get(3).hyperparameters()).containsEntry("r", "8");
        assertThat(search.stepsPerCandidate()).isEqualTo(240 / 7);
        KindSearch narrow = KindSearch.parse(Map.of("candidates", "lora,prompt_tuning", "ranks", "16",
                "search_steps", "40", "learning_rate", "0.001"));
        assertThat(narrow.candidates()).hasSize(2);
        assertThat(narrow.accepts(DeltaConfigs.parse(Map.of("kind", "lora", "r", "16")))).isTrue();
        assertThat(narrow.accepts(LORA)).as("another rank than the search tried").isFalse();
    }

    @Test
    void picksTheMostAccurateUnlessAnAsGoodCandidateIsSmallerOrFaster() {
        KindSearch search = new KindSearch(List.of(HEAD, IA3, LORA), 30, 0.01);
        KindSearch.Scored head = new KindSearch.Scored(HEAD, 0.80, 1_000, 1.0);
        KindSearch.Scored ia3 = new KindSearch.Scored(IA3, 0.905, 45_000, 2.0);
        KindSearch.Scored lora = new KindSearch.Scored(LORA, 0.91, 360_000, 2.5);
        assertThat(search.choose(List.of(head, ia3, lora))).as("within 0.01 with fewer parameters").isEqualTo(ia3);
        assertThat(new KindSearch(List.of(HEAD, IA3, LORA), 30, 0).choose(List.of(head, ia3, lora))).isEqualTo(lora);
        KindSearch.Scored slowIa3 = new KindSearch.Scored(IA3, 0.91, 360_000, 3.0);
        assertThat(search.choose(List.of(slowIa3, lora))).as("as accurate, as large: the faster").isEqualTo(lora);
        assertThat(search.choose(List.of(head))).isEqualTo(head);
    }

    @Test
    void recordsEveryCandidateAsJson() {
        JsonArray record = JsonParser.parseString(KindSearch.record(List.of(
                new KindSearch.Scored(HEAD, 0.8, 1_000, 1.25), new KindSearch.Scored(LORA, 0.9, 2_000, 2.5))))
                .getAsJsonArray();
        assertThat(record).hasSize(2);
        assertThat(record.get(1).getAsJsonObject().get("kind").getAsString()).isEqualTo("lora");
        assertThat(record.get(1).getAsJsonObject().get("r").getAsString()).isEqualTo("8");
        assertThat(record.get(1).getAsJsonObject().get("accuracy").getAsDouble()).isEqualTo(0.9);
        assertThat(record.get(0).getAsJsonObject().get("ms_per_text").getAsDouble()).isEqualTo(1.25);
    }

    @Test
    void refusesWhatCannotBeSearched() {
        assertThatThrownBy(() -> KindSearch.parse(Map.of("candidates", "adapter_fusion"))).hasMessageContaining("sources");
        assertThatThrownBy(() -> KindSearch.parse(Map.of("candidates", "lasso"))).hasMessageContaining("Unknown delta kind");
        assertThatThrownBy(() -> KindSearch.parse(Map.of("ranks", "four"))).hasMessageContaining("ranks");
        assertThatThrownBy(() -> KindSearch.parse(Map.of("search_steps", "3"))).hasMessageContaining("at least one step");
        assertThatThrownBy(() -> KindSearch.parse(Map.of("tolerance", "0.5"))).hasMessageContaining("tolerance");
        assertThatThrownBy(() -> KindSearch.parse(Map.of("ranks", ""))).hasMessageContaining("ranks");
        assertThatThrownBy(() -> KindSearch.parse(Map.of("search_steps", "100000"))).hasMessageContaining("at most");
        assertThat(KindSearch.parse(Map.of("candidates", "head,head,ia3")).candidates()).as("each tried once")
                .hasSize(2);
    }
}
