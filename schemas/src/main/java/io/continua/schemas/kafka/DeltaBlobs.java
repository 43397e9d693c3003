package io.continua.schemas.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keys and chunks of the compacted {@code delta-blobs} topic: an artifact of SHA-256 {@code s} in
 * {@code n} chunks is the records {@code s#i/n} for {@code i} in {@code [0, n)}, each at most
 * {@link #CHUNK_BYTES} (under Kafka's default 1 MiB record limit, so no client or broker needs
 * other settings). Identical archives share their chunks; a tombstone per chunk deletes one.
 */
public final class DeltaBlobs {
    public static final int CHUNK_BYTES = 512 * 1024;
    private static final Pattern KEY = Pattern.compile("(?<sha>[0-9a-f]{64})#(?<index>[0-9]{1,6})/(?<count>[0-9]{1,6})");

    /** One chunk's place in its artifact. */
    public record ChunkKey(String sha256, int index, int count) {
        public String key() {
            return sha256 + "#" + index + "/" + count;
        }
    }

    /** A chunk and the key it is written under. */
    public record Chunk(ChunkKey key, byte[] bytes) {
    }

    private DeltaBlobs() {
    }

    /** The chunks of an artifact, in order. */
    public static List<Chunk> chunks(String sha256, byte[] bytes) {
        int count = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        List<Chunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chunks.add(new Chunk(new ChunkKey(sha256, i, count),
                    Arrays.copyOfRange(bytes, i * CHUNK_BYTES, Math.min(bytes.length, (i + 1) * CHUNK_BYTES))));
        }
        return chunks;
    }

    /** The key's parts, or empty when it is not a chunk key. */
    public static Optional<ChunkKey> parse(String key) {
        Matcher matcher = KEY.matcher(key == null ? "" : key);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        int index = Integer.parseInt(matcher.group("index"));
        int count = Integer.parseInt(matcher.group("count"));
        return index < count ? Optional.of(new ChunkKey(matcher.group("sha"), index, count)) : Optional.empty();
    }
}
