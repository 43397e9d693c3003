package io.continua.cli;

import io.continua.peft.data.LabeledText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Dataset rows in the order end-to-end tests stream them. */
final class StreamedRows {
    private StreamedRows() {
    }

    /** At most {@code perIntent} rows of each intent, interleaved as a stream would be. */
    static List<LabeledText> take(List<LabeledText> rows, Set<String> intents, int perIntent) {
        Map<String, List<LabeledText>> byIntent = new LinkedHashMap<>();
        for (LabeledText row : rows) {
            if (intents.contains(row.label())) {
                List<LabeledText> taken = byIntent.computeIfAbsent(row.label(), label -> new ArrayList<>());
                if (taken.size() < perIntent) {
                    taken.add(row);
                }
            }
        }
        List<LabeledText> interleaved = new ArrayList<>();
        for (int i = 0; i < perIntent; i++) {
            for (List<LabeledText> taken : byIntent.values()) {
                if (i < taken.size()) {
                    interleaved.add(taken.get(i));
                }
            }
        }
        return interleaved;
    }
}
