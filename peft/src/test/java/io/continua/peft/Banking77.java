package io.continua.peft;

import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Banking77 as shipped in the project's data/ folder, and small intent subsets of it. */
public final class Banking77 {
    private Banking77() {
    }

    public static List<LabeledText> train() {
        return JsonlDataset.read(dir().resolve("train.jsonl"));
    }

    public static List<LabeledText> test() {
        return JsonlDataset.read(dir().resolve("test.jsonl"));
    }

    /** The first {@code count} intents in training-file order. */
    public static List<String> intents(int count) {
        return train().stream().map(LabeledText::label).distinct().limit(count).toList();
    }

    /** At most {@code perIntent} rows of each of {@code intents}, in file order. */
    public static List<LabeledText> subset(List<LabeledText> rows, Set<String> intents, int perIntent) {
        Map<String, Integer> taken = new LinkedHashMap<>();
        return rows.stream()
                .filter(row -> intents.contains(row.label()))
                .filter(row -> taken.merge(row.label(), 1, Integer::sum) <= perIntent)
                .toList();
    }

    private static Path dir() {
        return Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77");
    }
}
