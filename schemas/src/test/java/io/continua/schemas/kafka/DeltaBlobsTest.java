package io.continua.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeltaBlobsTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void chunksCoverTheBytesInOrderAndTheirKeysParseBack() {
        byte[] bytes = new byte[DeltaBlobs.CHUNK_BYTES * 2 + 17];
        new Random(3).nextBytes(bytes);
        List<DeltaBlobs.Chunk> chunks = DeltaBlobs.chunks(SHA, bytes);
        assertThat(chunks).hasSize(3);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            DeltaBlobs.Chunk chunk = chunks.get(i);
            assertThat(chunk.bytes().length).isLessThanOrEqualTo(DeltaBlobs.CHUNK_BYTES);
            assertThat(DeltaBlobs.parse(chunk.key().key())).contains(new DeltaBlobs.ChunkKey(SHA, i, 3));
            joined.writeBytes(chunk.bytes());
        }
        assertThat(joined.toByteArray()).isEqualTo(bytes);
        assertThat(DeltaBlobs.chunks(SHA, new byte[0])).as("an empty artifact is one empty chunk").hasSize(1);
    }

    @Test
    void keysThatAreNotChunkKeysAreRefused() {
        for (String key : new String[] {SHA, SHA + "#3/3", SHA + "#-1/3", SHA.toUpperCase() + "#0/1", "banking/1",
                SHA + "#0", null, ""}) {
            assertThat(DeltaBlobs.parse(key)).as(String.valueOf(key)).isEmpty();
        }
    }

    @Test
    void aChunkAndItsKeyFitUnderTheTopicsRecordLimit() {
        int key = new DeltaBlobs.ChunkKey(SHA, 999_999, 999_999).key().length();
        assertThat(DeltaBlobs.CHUNK_BYTES + key + 1024).isLessThan(Topics.DELTA_BLOBS_MAX_MESSAGE_BYTES)
                .isLessThan(1024 * 1024);
    }
}
