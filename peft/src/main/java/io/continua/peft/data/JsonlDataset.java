package io.continua.peft.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads JSON Lines of {@code {"text": ..., "label": ...}}; a bad line fails with its file and line number. */
public final class JsonlDataset {
    private JsonlDataset() {
    }

    public static List<LabeledText> read(Path file) {
        List<LabeledText> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (!line.isBlank()) {
                    rows.add(parse(line, file, number));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read dataset " + file, e);
        }
        return rows;
    }

    private static LabeledText parse(String line, Path file, int number) {
        try {
            JsonObject object = JsonParser.parseString(line).getAsJsonObject();
            return new LabeledText(field(object, "text"), field(object, "label"));
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ":" + number + ": not a {\"text\", \"label\"} object: "
                    + e.getMessage(), e);
        }
    }

    private static String field(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive()) {
            throw new IllegalStateException("missing string field '" + name + "'");
        }
        return value.getAsString();
    }
}
