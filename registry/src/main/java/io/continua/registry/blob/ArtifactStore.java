package io.continua.registry.blob;

import io.continua.peft.artifact.DeltaArtifact;
import io.continua.schemas.kafka.DeltaBlobs;
import io.continua.schemas.kafka.DeltaBlobs.ChunkKey;
import io.continua.schemas.kafka.DeltaLogSignatures;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.kafka.SignedTopicFollower;
import io.continua.schemas.kafka.SignedTopicFollower.Refusals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The artifacts every version names, read from the compacted {@code delta-blobs} topic (see
 * {@link DeltaBlobs}): any registry instance, writer or replica, on any machine, serves any
 * artifact. It follows the topic and keeps an index of where each chunk is; the chunks are cached
 * on local disk as they pass, and a chunk missing from the cache (the directory deleted, a new
 * machine) is read back from the topic by its offset. An artifact is given out only whole and only
 * when its bytes hash to its name.
 */
public final class ArtifactStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ArtifactStore.class);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration ARRIVAL_WAIT = Duration.ofSeconds(3);

    /** Where each chunk of one artifact is in the topic; -1 for a chunk not (or no longer) there. */
    private record Located(long[] offsets) {
        boolean complete() {
            return Arrays.stream(offsets).allMatch(offset -> offset >= 0);
        }

        boolean empty() {
            return Arrays.stream(offsets).allMatch(offset -> offset < 0);
        }
    }

    private final Path cache;
    private final TopicPartition partition;
    private final Map<String, Located> index = new ConcurrentHashMap<>();
    private final SignedTopicFollower follower;
    /** Reads single chunks back by offset; guarded by itself. */
    private final KafkaConsumer<String, byte[]> fetcher;

    public ArtifactStore(KafkaConnection kafka, String topic, DeltaLogSignatures signatures, Refusals refusals,
                         Path cache) {
        this.cache = cache;
        this.partition = new TopicPartition(topic, 0);
        try {
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the artifact cache " + cache, e);
        }
        this.fetcher = new KafkaConsumer<>(kafka.client(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1")), new StringDeserializer(), new ByteArrayDeserializer());
        this.follower = new SignedTopicFollower(kafka, topic, signatures, refusals, this::index);
    }

    private void index(ConsumerRecord<String, byte[]> record) {
        Optional<ChunkKey> parsed = DeltaBlobs.parse(record.key());
        if (parsed.isEmpty() || record.partition() != 0) {
            log.error("Skipping record {} at {}-{}@{}: not an artifact chunk", record.key(), record.topic(),
                    record.partition(), record.offset());
            return;
        }
        ChunkKey key = parsed.get();
        if (record.value() == null) {
            index.computeIfPresent(key.sha256(), (sha, located) -> {
                if (key.index() < located.offsets().length) {
                    located.offsets()[key.index()] = -1;
                }
                return located.empty() ? null : located;
            });
            deleteCached(key);
            return;
        }
        Located located = index.computeIfAbsent(key.sha256(), sha -> {
            long[] offsets = new long[key.count()];
            Arrays.fill(offsets, -1);
            return new Located(offsets);
        });
        if (located.offsets().length != key.count()) {
            log.error("Skipping chunk {} at offset {}: its artifact was first seen in {} chunks", record.key(),
                    record.offset(), located.offsets().length);
            return;
        }
        cacheChunk(key, record.value());
        located.offsets()[key.index()] = record.offset();
    }

    /** Waits until the store has read what is in the topic now: before that it may not know every artifact. */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        follower.awaitCaughtUp(timeout);
    }

    /** See {@link SignedTopicFollower#awaitApplied}: a writer waits so that what it wrote can be read at once. */
    public boolean awaitApplied(Map<TopicPartition, Long> lastOffsets, Duration timeout) throws InterruptedException {
        return follower.awaitApplied(lastOffsets, timeout);
    }

    public boolean isFollowing() {
        return follower.isFollowing();
    }

    /** Whether every chunk of the artifact is in the topic. */
    public boolean contains(String sha256) {
        Located located = index.get(sha256);
        return located != null && located.complete();
    }

    /** The keys of the artifact's chunks in the topic (what deleting it tombstones). */
    public List<String> chunkKeys(String sha256) {
        Located located = index.get(sha256);
        List<String> keys = new ArrayList<>();
        if (located != null) {
            for (int i = 0; i < located.offsets().length; i++) {
                if (located.offsets()[i] >= 0) {
                    keys.add(new ChunkKey(sha256, i, located.offsets().length).key());
                }
            }
        }
        return keys;
    }

    /**
     * The artifact's bytes, checked against its name; empty when the topic does not hold it whole.
     * A version is visible with its chunks (one transaction), but this store and the log are read by
     * two followers: a request for a version just seen waits a moment for its chunks. Blocking: call
     * it off the event loop.
     */
    public Optional<byte[]> get(String sha256) throws InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL_WAIT.toNanos();
        while (!contains(sha256) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Located located = index.get(sha256);
        if (located == null || !located.complete()) {
            return Optional.empty();
        }
        long[] offsets = located.offsets().clone();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < offsets.length; i++) {
            ChunkKey key = new ChunkKey(sha256, i, offsets.length);
            long offset = offsets[i];
            Optional<byte[]> chunk = cached(key).or(() -> fetch(key, offset));
            if (chunk.isEmpty()) {
                return Optional.empty();
            }
            bytes.writeBytes(chunk.get());
        }
        byte[] artifact = bytes.toByteArray();
        if (!DeltaArtifact.sha256(artifact).equals(sha256)) {
            log.error("Artifact {} does not hash to its name; dropping its cached chunks", sha256);
            for (int i = 0; i < offsets.length; i++) {
                deleteCached(new ChunkKey(sha256, i, offsets.length));
            }
            return Optional.empty();
        }
        return Optional.of(artifact);
    }

    /** One chunk read back from the topic by its offset (and cached again). */
    private Optional<byte[]> fetch(ChunkKey key, long offset) {
        if (offset < 0) {
            return Optional.empty();
        }
        synchronized (fetcher) {
            fetcher.assign(List.of(partition));
            fetcher.seek(partition, offset);
            long deadline = System.nanoTime() + FETCH_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : fetcher.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset && key.key().equals(record.key()) && record.value() != null) {
                        cacheChunk(key, record.value());
                        return Optional.of(record.value());
                    }
                    if (record.offset() >= offset) {
                        log.error("Chunk {} is no longer at offset {} of {}", key.key(), offset, partition);
                        return Optional.empty();
                    }
                }
            }
        }
        log.error("Could not read chunk {} back from {} within {}", key.key(), partition, FETCH_TIMEOUT);
        return Optional.empty();
    }

    private Optional<byte[]> cached(ChunkKey key) {
        try {
            return Optional.of(Files.readAllBytes(cachePath(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("Cannot read cached chunk {} ({}); reading it from the topic", key.key(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Best effort: the cache only saves reading the topic again. */
    private void cacheChunk(ChunkKey key, byte[] bytes) {
        Path target = cachePath(key);
        if (Files.exists(target)) {
            return;
        }
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), ".chunk-", ".tmp");
            try {
                Files.write(temp, bytes);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            log.warn("Cannot cache chunk {} in {} ({}); it will be read from the topic", key.key(), cache,
                    e.getMessage());
        }
    }

    private void deleteCached(ChunkKey key) {
        try {
            Files.deleteIfExists(cachePath(key));
        } catch (IOException e) {
            log.warn("Cannot delete cached chunk {}: {}", key.key(), e.getMessage());
        }
    }

    private Path cachePath(ChunkKey key) {
        return cache.resolve(key.sha256().substring(0, 2)).resolve(key.sha256() + "." + key.index());
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
        synchronized (fetcher) {
            fetcher.close();
        }
    }
}
