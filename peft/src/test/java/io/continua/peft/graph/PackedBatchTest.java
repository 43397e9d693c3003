package io.continua.peft.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.peft.delta.PromptTuningConfig;
import io.continua.peft.tokenizer.Tokens;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The index arithmetic of the padding-free layout, on a batch small enough to check by hand. */
class PackedBatchTest {
    private static final List<Tokens> TEXTS = List.of(
            new Tokens(new int[] {101, 7, 102}, false),
            new Tokens(new int[] {101, 102}, false),
            new Tokens(new int[] {101, 8, 9, 10, 102}, true));

    @Test
    void packsRealTokensOnlyAndLaysThemOutPerTextForAttention() {
        PackedBatch batch = PackedBatch.of(TEXTS);
        assertThat(batch.tokens()).isEqualTo(10);
        assertThat(batch.longest()).isEqualTo(5);
        assertThat(batch.tokenIds()).containsExactly(101, 7, 102, 101, 102, 101, 8, 9, 10, 102);
        assertThat(batch.positions()).containsExactly(0, 1, 2, 0, 1, 0, 1, 2, 3, 4);
        assertThat(batch.attentionGather()).containsExactly(
                0, 1, 2, 0, 0,
                3, 4, 0, 0, 0,
                5, 6, 7, 8, 9);
        assertThat(batch.attentionMask()).containsExactly(
                1, 1, 1, 0, 0,
                1, 1, 0, 0, 0,
                1, 1, 1, 1, 1);
        for (int token = 0; token < batch.tokens(); token++) {
            assertThat(batch.attentionGather()[batch.attentionScatter()[token]]).as("round trip of token %d", token)
                    .isEqualTo(token);
        }
    }

    /** A prompt-tuning layout's rows come first in every text, at positions 0..v-1, then the text's. */
    @Test
    void putsVirtualTokensBeforeEachText() {
        PackedBatch batch = PackedBatch.of(TEXTS.subList(0, 2), 2);
        assertThat(batch.virtualTokens()).isEqualTo(2);
        assertThat(batch.tokens()).isEqualTo(9);
        assertThat(batch.longest()).isEqualTo(5);
        assertThat(batch.tokenIds()).containsExactly(0, 0, 101, 7, 102, 0, 0, 101, 102);
        assertThat(batch.positions()).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3);
        assertThat(batch.attentionMask()).containsExactly(
                1, 1, 1, 1, 1,
                1, 1, 1, 1, 0);
        DeltaLayout prompt = new PromptTuningConfig(2).layout();
        assertThat(batch.requireFor(prompt, 5)).isSameAs(batch);
        assertThatThrownBy(() -> batch.requireFor(DeltaLayout.headOnly(), 5))
                .hasMessageContaining("2 virtual tokens per text cannot run on layout head");
        assertThatThrownBy(() -> PackedBatch.of(TEXTS, 12).requireFor(new PromptTuningConfig(12).layout(), 16))
                .hasMessage("A text of 5 tokens after 12 virtual tokens exceeds the encoder's 16 positions");
        Tokens cut = TEXTS.get(2).limit(3);
        assertThat(cut.ids()).as("cut, keeping [SEP]").containsExactly(101, 8, 102);
        assertThat(cut.truncated()).isTrue();
        assertThat(TEXTS.get(0).limit(3)).isSameAs(TEXTS.get(0));
    }

    @Test
    void laysOutTokensAndTextsPerDelta() {
        PackedBatch batch = PackedBatch.of(TEXTS, new int[] {1, 0, 1}, 2, 0);
        assertThat(batch.groups()).isEqualTo(2);
        assertThat(batch.groupTokens()).as("delta 1 has texts 0 and 2: 8 tokens").isEqualTo(8);
        assertThat(batch.tokenGroupGather()).containsExactly(
                3, 4, 0, 0, 0, 0, 0, 0,
                0, 1, 2, 5, 6, 7, 8, 9);
        assertThat(batch.groupRows()).isEqualTo(2);
        assertThat(batch.rowGroupGather()).containsExactly(1, 0, 0, 2);
        for (int token = 0; token < batch.tokens(); token++) {
            assertThat(batch.tokenGroupGather()[batch.tokenGroupScatter()[token]]).isEqualTo(token);
        }
        for (int text = 0; text < batch.texts(); text++) {
            assertThat(batch.rowGroupGather()[batch.rowGroupScatter()[text]]).isEqualTo(text);
        }
    }

    @Test
    void refusesGroupIndicesThatDoNotFit() {
        assertThatThrownBy(() -> PackedBatch.of(TEXTS, new int[] {0, 2, 0}, 2, 0)).hasMessageContaining("outside");
        assertThatThrownBy(() -> PackedBatch.of(TEXTS, new int[] {0, 0, 0}, 2, 0)).hasMessageContaining("no text");
        assertThatThrownBy(() -> PackedBatch.of(TEXTS, new int[] {0, 0}, 1, 0)).hasMessageContaining("2 group indices");
    }
}
