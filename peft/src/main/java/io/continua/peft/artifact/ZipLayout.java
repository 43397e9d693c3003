package io.continua.peft.artifact;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Holds a delta archive to the one layout every zip reader agrees on: its entries one after the
 * other from the first byte, then exactly one central directory listing exactly those entries in
 * that order (same names, offsets, methods, checksums and sizes), then the end-of-central-directory
 * record as the last 22 bytes, with no comment. Anything else (a second directory, entries the
 * directory does not list or lists twice, bytes before, between or after, a directory that points
 * elsewhere) is refused: a reader that follows the local entries (like Java's {@code ZipInputStream})
 * and one that follows the central directory (like Python's {@code zipfile}) then read the same
 * archive. Checks the structure only; contents are read and inflated elsewhere.
 */
final class ZipLayout {
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int DATA_DESCRIPTOR = 0x08074b50;
    private static final int END_RECORD_SIZE = 22;
    private static final int DESCRIPTOR_FLAG = 1 << 3;

    private record CentralEntry(String name, int method, int flags, long crc, long compressedSize, long offset) {
    }

    private ZipLayout() {
    }

    /** Refuses, with {@link InvalidArtifactException}, an archive that could be read two ways. */
    static void check(byte[] archive) {
        int end = archive.length - END_RECORD_SIZE;
        if (end < 0 || int32(archive, end) != END_OF_DIRECTORY) {
            throw new InvalidArtifactException("The archive does not end with its central directory's end record "
                    + "(truncated, not a zip file, or followed by other data or a comment)");
        }
        int entries = uint16(archive, end + 10);
        long directorySize = uint32(archive, end + 12);
        long directoryOffset = uint32(archive, end + 16);
        if (uint16(archive, end + 4) != 0 || uint16(archive, end + 6) != 0 || uint16(archive, end + 8) != entries
                || uint16(archive, end + 20) != 0) {
            throw new InvalidArtifactException("The archive spans disks or carries a comment");
        }
        if (directoryOffset + directorySize != end) {
            throw new InvalidArtifactException("The central directory does not lie right before its end record: "
                    + "the archive holds another directory or data around it");
        }
        List<CentralEntry> listed = centralDirectory(archive, (int) directoryOffset, end, entries);
        long position = 0;
        for (CentralEntry entry : listed) {
            if (entry.offset() != position) {
                throw new InvalidArtifactException("Entry '" + entry.name() + "' is not where the previous one ends: "
                        + "the archive holds bytes its directory does not list");
            }
            position = localEntryEnd(archive, entry, directoryOffset);
        }
        if (position != directoryOffset) {
            throw new InvalidArtifactException("Bytes between the last entry and the central directory");
        }
    }

    private static List<CentralEntry> centralDirectory(byte[] archive, int start, int end, int count) {
        List<CentralEntry> entries = new ArrayList<>(count);
        Set<String> names = new HashSet<>();
        int at = start;
        for (int i = 0; i < count; i++) {
            require(at + 46 <= end && int32(archive, at) == CENTRAL_HEADER, "central directory entry " + i);
            int nameLength = uint16(archive, at + 28);
            int extraLength = uint16(archive, at + 30);
            int commentLength = uint16(archive, at + 32);
            require(at + 46 + nameLength + extraLength + commentLength <= end, "central directory entry " + i);
            String name = new String(archive, at + 46, nameLength, java.nio.charset.StandardCharsets.UTF_8);
            if (!names.add(name)) {
                throw new InvalidArtifactException("Entry '" + name + "' is listed twice");
            }
            entries.add(new CentralEntry(name, uint16(archive, at + 10), uint16(archive, at + 8),
                    uint32(archive, at + 16), uint32(archive, at + 20), uint32(archive, at + 42)));
            at += 46 + nameLength + extraLength + commentLength;
        }
        if (at != end) {
            throw new InvalidArtifactException("The central directory holds more than its " + count + " entries");
        }
        return entries;
    }

    /** Checks the local entry against its directory entry; returns where the next entry must start. */
    private static long localEntryEnd(byte[] archive, CentralEntry entry, long limit) {
        int at = Math.toIntExact(entry.offset());
        require(at + 30 <= limit && int32(archive, at) == LOCAL_HEADER, "the local header of '" + entry.name() + "'");
        int flags = uint16(archive, at + 6);
        int nameLength = uint16(archive, at + 26);
        int extraLength = uint16(archive, at + 28);
        require(at + 30 + nameLength <= limit, "the local header of '" + entry.name() + "'");
        String name = new String(archive, at + 30, nameLength, java.nio.charset.StandardCharsets.UTF_8);
        if (!name.equals(entry.name()) || uint16(archive, at + 8) != entry.method() || flags != entry.flags()) {
            throw new InvalidArtifactException("The local entry at " + at + " ('" + name + "') is not the one the "
                    + "central directory lists there ('" + entry.name() + "')");
        }
        long dataEnd = at + 30L + nameLength + extraLength + entry.compressedSize();
        if ((flags & DESCRIPTOR_FLAG) == 0) {
            if (uint32(archive, at + 14) != entry.crc() || uint32(archive, at + 18) != entry.compressedSize()) {
                throw new InvalidArtifactException("The local and central records of '" + name + "' disagree");
            }
            return dataEnd;
        }
        require(dataEnd + 16 <= limit && int32(archive, (int) dataEnd) == DATA_DESCRIPTOR,
                "the data descriptor of '" + name + "'");
        if (uint32(archive, (int) dataEnd + 4) != entry.crc() || uint32(archive, (int) dataEnd + 8) != entry.compressedSize()) {
            throw new InvalidArtifactException("The data descriptor and central record of '" + name + "' disagree");
        }
        return dataEnd + 16;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new InvalidArtifactException("The archive is truncated or corrupt at " + what);
        }
    }

    private static int uint16(byte[] bytes, int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
    }

    private static long uint32(byte[] bytes, int at) {
        return int32(bytes, at) & 0xffffffffL;
    }

    private static int int32(byte[] bytes, int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16
                | (bytes[at + 3] & 0xff) << 24;
    }
}
