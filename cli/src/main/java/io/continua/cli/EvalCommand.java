package io.continua.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.peft.training.ClassificationScores;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code continua eval}: accuracy and macro-F1 of what a domain serves now, on a labeled file. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score what a domain serves now on a labeled JSON Lines file.")
final class EvalCommand extends SettingsCommand {
    private static final int BATCH = 32;

    @Override
    public SettingDefs settingDefs() {
        return ServingClient.DEFS;
    }

    @Option(names = "--domain", required = true, description = "The domain.")
    private String domain;

    @Option(names = "--file", required = true, description = "JSON Lines of {\"text\",\"label\"}.")
    private Path file;

    @Override
    int run(SettingValues settings) {
        String servingUrl = settings.get(ServingClient.URL);
        List<LabeledText> rows = JsonlDataset.read(file);
        ProgressBar progress = new ProgressBar("eval", rows.size(), System.err);
        ClassificationScores scores = score(new ServingClient(servingUrl), domain, rows, progress);
        progress.done();
        System.out.printf("%s on %s: accuracy %.4f, macro-F1 %.4f over %d texts%n", domain, file, scores.accuracy(),
                scores.macroF1(), scores.total());
        return 0;
    }

    /** Classifies every row through serving and scores the answers. */
    static ClassificationScores score(ServingClient serving, String domain, List<LabeledText> rows, ProgressBar progress) {
        ClassificationScores scores = new ClassificationScores();
        for (int start = 0; start < rows.size(); start += BATCH) {
            List<LabeledText> batch = rows.subList(start, Math.min(start + BATCH, rows.size()));
            JsonNode answer = serving.predict(domain, batch.stream().map(LabeledText::text).toList());
            for (int i = 0; i < batch.size(); i++) {
                scores.add(batch.get(i).label(), answer.path("predictions").get(i).path("label").asText());
            }
            if (progress != null) {
                progress.advance(start + batch.size());
            }
        }
        return scores;
    }
}
