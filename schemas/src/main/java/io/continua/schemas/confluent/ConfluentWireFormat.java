package io.continua.schemas.confluent;

import java.nio.ByteBuffer;

/** Confluent's framing of an Avro record: a {@code 00} magic byte, the writer schema's 4-byte id (big-endian), the binary body. */
public final class ConfluentWireFormat {
    public static final byte MAGIC = 0;
    public static final int HEADER_BYTES = 5;

    private ConfluentWireFormat() {
    }

    /** The schema id of a framed record (at least {@link #HEADER_BYTES} long, starting with the magic byte). */
    public static int schemaId(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /** The header for a record written with schema {@code id}. */
    public static byte[] header(int id) {
        return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(id).array();
    }
}
