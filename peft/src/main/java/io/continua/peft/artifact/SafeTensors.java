package io.continua.peft.artifact;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.continua.peft.encoder.WeightTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. Only F32
 * tensors are written or read. Reading checks every range against the file, so a truncated or
 * inconsistent file is refused rather than half-read.
 */
public final class SafeTensors {
    private static final String METADATA = "__metadata__";

    private SafeTensors() {
    }

    /** What a file holds: tensors by name (in file order) and its string metadata. */
    public record Contents(Map<String, WeightTensor> tensors, Map<String, String> metadata) {
    }

    public static byte[] write(List<WeightTensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add(METADATA, meta);
        }
        long offset = 0;
        for (WeightTensor tensor : tensors) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long size : tensor.shape()) {
                shape.add(size);
            }
            entry.add("shape", shape);
            JsonArray range = new JsonArray();
            range.add(offset);
            offset += (long) tensor.values().length * Float.BYTES;
            range.add(offset);
            entry.add("data_offsets", range);
            header.add(tensor.name(), entry);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padding = (8 - json.length % 8) % 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + json.length + padding + offset))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length + padding).put(json);
        for (int i = 0; i < padding; i++) {
            out.put((byte) ' ');
        }
        for (WeightTensor tensor : tensors) {
            for (float value : tensor.values()) {
                out.putFloat(value);
            }
        }
        return out.array();
    }

    public static Contents read(byte[] bytes, String fileName) {
        if (bytes.length < 8) {
            throw new InvalidArtifactException(fileName + " is truncated: " + bytes.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong();
        if (headerLength < 2 || headerLength > bytes.length - 8) {
            throw new InvalidArtifactException(fileName + " is truncated or corrupt: header of " + headerLength
                    + " bytes in a file of " + bytes.length);
        }
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new InvalidArtifactException(fileName + " has an unreadable header: " + e.getMessage(), e);
        }
        int dataStart = (int) (8 + headerLength);
        long dataLength = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Map.Entry<String, long[]>> ranges = new ArrayList<>();
        Map<String, WeightTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
            if (entry.getKey().equals(METADATA)) {
                entry.getValue().getAsJsonObject().entrySet()
                        .forEach(meta -> metadata.put(meta.getKey(), meta.getValue().getAsString()));
                continue;
            }
            WeightTensor tensor = tensor(entry.getKey(), entry.getValue(), buffer, dataStart, dataLength, fileName);
            tensors.put(tensor.name(), tensor);
            JsonArray range = entry.getValue().getAsJsonObject().getAsJsonArray("data_offsets");
            ranges.add(Map.entry(entry.getKey(), new long[] {range.get(0).getAsLong(), range.get(1).getAsLong()}));
        }
        ranges.sort(Comparator.comparingLong(range -> range.getValue()[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i).getValue()[0] < ranges.get(i - 1).getValue()[1]) {
                throw new InvalidArtifactException(fileName + ": tensors " + ranges.get(i - 1).getKey() + " and "
                        + ranges.get(i).getKey() + " overlap");
            }
        }
        return new Contents(tensors, metadata);
    }

    private static WeightTensor tensor(String name, JsonElement description, ByteBuffer buffer, int dataStart,
                                       long dataLength, String fileName) {
        try {
            JsonObject entry = description.getAsJsonObject();
            String dtype = entry.get("dtype").getAsString();
            if (!dtype.equals("F32")) {
                throw new InvalidArtifactException(fileName + ": tensor " + name + " is " + dtype + ", only F32 is read");
            }
            JsonArray shapeJson = entry.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new InvalidArtifactException(fileName + ": tensor " + name + " has a negative dimension");
                }
                count = Math.multiplyExact(count, shape[i]);
            }
            JsonArray range = entry.getAsJsonArray("data_offsets");
            long begin = range.get(0).getAsLong();
            long end = range.get(1).getAsLong();
            if (begin < 0 || end < begin || end > dataLength) {
                throw new InvalidArtifactException(fileName + " is truncated: tensor " + name + " spans bytes "
                        + begin + ".." + end + " of " + dataLength);
            }
            if (end - begin != count * Float.BYTES) {
                throw new InvalidArtifactException(fileName + ": tensor " + name + " has " + (end - begin)
                        + " bytes for " + count + " floats");
            }
            float[] values = new float[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = buffer.getFloat((int) (dataStart + begin + (long) i * Float.BYTES));
            }
            return new WeightTensor(name, shape, values);
        } catch (RuntimeException e) {
            if (e instanceof InvalidArtifactException invalid) {
                throw invalid;
            }
            throw new InvalidArtifactException(fileName + ": tensor " + name + " is described wrongly: " + e, e);
        }
    }
}
