package io.continua.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {
    @Test
    void composesToNfc() {
        assertThat(TextNormalizer.normalize("cafe\u0301")).isEqualTo("café");
    }

    @Test
    void removesControlAndFormatCharacters() {
        assertThat(TextNormalizer.normalize("to\u0000p\u200B up\u0007")).isEqualTo("top up");
    }

    @Test
    void collapsesAndTrimsWhitespace() {
        assertThat(TextNormalizer.normalize("  where \t is\n\n my\u00A0card  ")).isEqualTo("where is my card");
    }

    @Test
    void leavesNothingOfBlankText() {
        assertThat(TextNormalizer.normalize(" \t\u200B\n ")).isEmpty();
    }
}
