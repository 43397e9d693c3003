package io.continua.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code continua predict}: classify texts with what a domain serves now. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Classify texts with a domain's served delta.")
final class PredictCommand extends SettingsCommand {
    @Override
    public SettingDefs settingDefs() {
        return ServingClient.DEFS;
    }

    @Option(names = "--domain", required = true, description = "The domain.")
    private String domain;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to classify.")
    private List<String> texts;

    @Override
    int run(SettingValues settings) {
        String servingUrl = settings.get(ServingClient.URL);
        JsonNode answer = new ServingClient(servingUrl).predict(domain, texts);
        for (int i = 0; i < texts.size(); i++) {
            JsonNode prediction = answer.path("predictions").get(i);
            StringBuilder scores = new StringBuilder();
            prediction.path("scores").forEach(score -> scores.append(String.format("  %s %.3f",
                    score.path("label").asText(), score.path("score").asDouble())));
            System.out.printf("%s%n  -> %s (version %d%s)%s%n", texts.get(i), prediction.path("label").asText(),
                    prediction.path("version").asInt(), prediction.path("truncated").asBoolean() ? ", truncated" : "",
                    scores);
        }
        return 0;
    }
}
