package io.continua.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continua.peft.data.LabeledText;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench peft} end to end on a tiny few-shot split: the table's rows in {@code peft.json}, every field set. */
class PeftBenchIT {
    @Test
    void writesOneRowPerKindAndSplitWithEveryFigure() throws Exception {
        Path json = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "peft-" + UUID.randomUUID());
        int status = new CommandLine(new BenchCommand()).execute("peft", "--kinds", "head,ia3", "--datasets",
                "banking77-few-shot", "--shots", "2", "--few-shot-epochs", "2", "--datasets-dir",
                System.getProperty("continua.datasets.dir", "../data"), "--json", json.toString());
        assertThat(status).isZero();

        JsonNode rows = new ObjectMapper().readTree(json.resolve("peft.json").toFile()).path("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).path("kind").asText()).isEqualTo("head");
        assertThat(rows.get(1).path("kind").asText()).isEqualTo("ia3");
        for (JsonNode row : rows) {
            assertThat(row.path("dataset").asText()).isEqualTo("banking77");
            assertThat(row.path("shots").asInt()).isEqualTo(2);
            assertThat(row.path("accuracy").asDouble()).as("77 intents: chance is 0.013").isBetween(0.02, 1.0);
            assertThat(row.path("macro_f1").asDouble()).isBetween(0.0, 1.0);
            assertThat(row.path("train_s").asDouble()).isPositive();
            assertThat(row.path("serve_per_s").asDouble()).isPositive();
        }
        assertThat(rows.get(0).path("trainable_params").asLong()).isEqualTo(384 * 77 + 77);
        assertThat(rows.get(1).path("trainable_params").asLong()).isEqualTo(384 * 77 + 77 + 6 * (384 + 384 + 1536));
    }

    @Test
    void aFewShotSplitTakesThatManyRowsOfEveryLabel() {
        List<LabeledText> rows = List.of(new LabeledText("a1", "a"), new LabeledText("a2", "a"),
                new LabeledText("a3", "a"), new LabeledText("b1", "b"));
        List<LabeledText> split = PeftBench.fewShot(rows, 2, 7);
        Map<String, Long> perLabel = split.stream().collect(Collectors.groupingBy(LabeledText::label,
                Collectors.counting()));
        assertThat(perLabel).containsEntry("a", 2L).containsEntry("b", 1L);
        assertThat(PeftBench.fewShot(rows, 2, 7)).as("seeded").isEqualTo(split);
        assertThat(split).doesNotHaveDuplicates();
    }
}
