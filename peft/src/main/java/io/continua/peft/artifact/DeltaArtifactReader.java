package io.continua.peft.artifact;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaConfigs;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.training.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Opens a delta archive and refuses, with an {@link InvalidArtifactException} that says why, one
 * that is over the size limit, truncated or corrupt, laid out so that zip readers could disagree
 * on its contents ({@link ZipLayout}), has entries outside the archive's root or
 * unknown to the format, names an unknown kind or another base model, or holds tensors whose
 * shapes disagree with its configuration or whose values are not finite.
 */
public final class DeltaArtifactReader {
    /** 64 MiB: ample for any delta of a small encoder, with its optimizer state. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    private final String baseModel;
    private final EncoderArchitecture architecture;
    private final long maxBytes;

    public DeltaArtifactReader(String baseModel, EncoderArchitecture architecture, long maxBytes) {
        this.baseModel = baseModel;
        this.architecture = architecture;
        this.maxBytes = maxBytes;
    }

    public LoadedArtifact read(byte[] archive) {
        if (archive.length > maxBytes) {
            throw new InvalidArtifactException("The archive is " + archive.length + " bytes, over the limit of "
                    + maxBytes);
        }
        Map<String, byte[]> entries = unzip(archive);
        for (String required : List.of(DeltaArtifact.MANIFEST, DeltaArtifact.CONFIG, DeltaArtifact.LABELS,
                DeltaArtifact.MODEL)) {
            if (!entries.containsKey(required)) {
                throw new InvalidArtifactException("The archive has no " + required);
            }
        }
        JsonObject manifest = jsonObject(entries.get(DeltaArtifact.MANIFEST), DeltaArtifact.MANIFEST);
        checkManifest(manifest);
        jsonObject(entries.get(DeltaArtifact.CONFIG), DeltaArtifact.CONFIG);
        DeltaConfig config = config(manifest);
        List<String> labels = labels(entries.get(DeltaArtifact.LABELS));
        Map<String, long[]> trainable = config.trainableShapes(architecture, labels.size());
        Map<String, WeightTensor> tensors = tensors(entries.get(DeltaArtifact.MODEL), config, labels.size());
        Map<String, WeightTensor> parameters = new LinkedHashMap<>();
        Map<String, WeightTensor> frozen = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> (trainable.containsKey(name) ? parameters : frozen).put(name, tensor));
        Delta delta;
        try {
            delta = new Delta(config, labels, parameters, frozen);
        } catch (IllegalArgumentException e) {
            throw new InvalidArtifactException(e.getMessage(), e);
        }
        Optional<OptimizerState> optimizer = Optional.ofNullable(entries.get(DeltaArtifact.OPTIMIZER))
                .map(bytes -> optimizer(bytes, parameters));
        return new LoadedArtifact(delta, optimizer, baseModel, DeltaArtifact.sha256(archive));
    }

    private Map<String, byte[]> unzip(byte[] archive) {
        ZipLayout.check(archive);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                if (name.startsWith("/") || name.contains("..") || name.contains("\\") || name.contains(":")) {
                    throw new InvalidArtifactException("Entry '" + name + "' escapes the archive");
                }
                if (entry.isDirectory() || !DeltaArtifact.ENTRIES.contains(name)) {
                    throw new InvalidArtifactException("Unexpected entry '" + name + "'; a delta archive holds only "
                            + DeltaArtifact.ENTRIES);
                }
                if (entries.containsKey(name)) {
                    throw new InvalidArtifactException("Entry '" + name + "' appears twice");
                }
                byte[] content = readBounded(zip, maxBytes - total, name);
                total += content.length;
                entries.put(name, content);
            }
        } catch (IOException e) {
            throw new InvalidArtifactException("The archive is truncated or corrupt: " + e.getMessage(), e);
        }
        return entries;
    }

    /** Reads an entry, refusing to inflate past the limit (a zip bomb stops here). */
    private static byte[] readBounded(ZipInputStream zip, long remaining, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int read = zip.read(buffer); read > 0; read = zip.read(buffer)) {
            if (out.size() + read > remaining) {
                throw new InvalidArtifactException("Entry '" + name + "' inflates past the size limit");
            }
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    private void checkManifest(JsonObject manifest) {
        int version = intField(manifest, "format_version");
        if (version != DeltaArtifact.FORMAT_VERSION) {
            throw new InvalidArtifactException("Unsupported delta format version " + version);
        }
        String kind = stringField(manifest, "kind");
        try {
            DeltaKind.fromKey(kind);
        } catch (IllegalArgumentException e) {
            throw new InvalidArtifactException(e.getMessage(), e);
        }
        String base = stringField(manifest, "base_model");
        if (!base.equals(baseModel)) {
            throw new InvalidArtifactException("The delta was trained on base model " + base + ", not " + baseModel);
        }
    }

    private static DeltaConfig config(JsonObject manifest) {
        JsonElement hyperparameters = manifest.get("hyperparameters");
        if (hyperparameters == null || !hyperparameters.isJsonObject()) {
            throw new InvalidArtifactException(DeltaArtifact.MANIFEST + " has no hyperparameters");
        }
        Map<String, String> values = new LinkedHashMap<>();
        hyperparameters.getAsJsonObject().entrySet().forEach(entry -> values.put(entry.getKey(),
                entry.getValue().getAsString()));
        values.put("kind", stringField(manifest, "kind"));
        try {
            return DeltaConfigs.parse(values);
        } catch (IllegalArgumentException e) {
            throw new InvalidArtifactException(e.getMessage(), e);
        }
    }

    private static List<String> labels(byte[] bytes) {
        try {
            JsonArray array = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonArray();
            List<String> labels = new ArrayList<>();
            array.forEach(element -> labels.add(element.getAsString()));
            if (labels.isEmpty() || new HashSet<>(labels).size() != labels.size()
                    || labels.stream().anyMatch(String::isBlank)) {
                throw new InvalidArtifactException(DeltaArtifact.LABELS + " must list distinct, non-blank labels");
            }
            return labels;
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new InvalidArtifactException(DeltaArtifact.LABELS + " is not a JSON array of strings", e);
        }
    }

    /** Every tensor the configuration declares, trained and frozen, each checked, in the declared order. */
    private Map<String, WeightTensor> tensors(byte[] bytes, DeltaConfig config, int labelCount) {
        Map<String, long[]> expected = new LinkedHashMap<>(config.trainableShapes(architecture, labelCount));
        expected.putAll(config.frozenShapes(architecture));
        Map<String, WeightTensor> parameters = new LinkedHashMap<>();
        for (WeightTensor stored : SafeTensors.read(bytes, DeltaArtifact.MODEL).tensors().values()) {
            WeightTensor tensor = PeftLayout.fromPeft(stored);
            long[] shape = expected.get(tensor.name());
            if (shape == null) {
                throw new InvalidArtifactException("Tensor " + stored.name() + " does not belong to a "
                        + config.kind().key() + " delta configured as " + config.hyperparameters());
            }
            if (!Arrays.equals(shape, tensor.shape())) {
                throw new InvalidArtifactException("Tensor " + stored.name() + " has shape "
                        + Arrays.toString(stored.shape()) + " but the configuration " + config.hyperparameters()
                        + " with " + labelCount + " labels needs " + Arrays.toString(PeftLayout.peftShape(tensor.name(), shape)));
            }
            requireFinite(tensor, stored.name());
            parameters.put(tensor.name(), tensor);
        }
        Set<String> missing = new HashSet<>(expected.keySet());
        missing.removeAll(parameters.keySet());
        if (!missing.isEmpty()) {
            throw new InvalidArtifactException("The delta lacks tensors " + missing.stream()
                    .map(PeftLayout::peftName).sorted().toList());
        }
        Map<String, WeightTensor> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(slot -> ordered.put(slot, parameters.get(slot)));
        return ordered;
    }

    private static OptimizerState optimizer(byte[] bytes, Map<String, WeightTensor> parameters) {
        SafeTensors.Contents contents = SafeTensors.read(bytes, DeltaArtifact.OPTIMIZER);
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        for (WeightTensor tensor : contents.tensors().values()) {
            String name = tensor.name();
            boolean isFirst = name.startsWith(DeltaArtifact.FIRST_MOMENT);
            String slot = name.substring((isFirst ? DeltaArtifact.FIRST_MOMENT : DeltaArtifact.SECOND_MOMENT).length());
            WeightTensor parameter = parameters.get(slot);
            if ((!isFirst && !name.startsWith(DeltaArtifact.SECOND_MOMENT)) || parameter == null
                    || parameter.values().length != tensor.values().length) {
                throw new InvalidArtifactException("Optimizer state " + name + " matches no tensor of the delta");
            }
            requireFinite(tensor, name);
            (isFirst ? first : second).put(slot, tensor.values());
        }
        try {
            return new OptimizerState(Long.parseLong(contents.metadata().getOrDefault(DeltaArtifact.STEP, "0")),
                    first, second);
        } catch (NumberFormatException e) {
            throw new InvalidArtifactException("Optimizer step is not a number", e);
        }
    }

    private static void requireFinite(WeightTensor tensor, String name) {
        for (float value : tensor.values()) {
            if (!Float.isFinite(value)) {
                throw new InvalidArtifactException("Tensor " + name + " holds a non-finite value (" + value + ")");
            }
        }
    }

    private static JsonObject jsonObject(byte[] bytes, String entry) {
        try {
            return JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new InvalidArtifactException(entry + " is not a JSON object", e);
        }
    }

    private static String stringField(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive()) {
            throw new InvalidArtifactException(DeltaArtifact.MANIFEST + " has no '" + name + "'");
        }
        return value.getAsString();
    }

    private static int intField(JsonObject object, String name) {
        try {
            return Integer.parseInt(stringField(object, name));
        } catch (NumberFormatException e) {
            throw new InvalidArtifactException(DeltaArtifact.MANIFEST + ": '" + name + "' is not a number", e);
        }
    }
}
