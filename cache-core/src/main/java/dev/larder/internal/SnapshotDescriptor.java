package dev.larder.internal;

/**
 * Layout of a snapshot file (docs/snapshot-format.md has the whole specification). All integers
 * are little-endian. A file is a header, one section per segment of the saved cache, in segment
 * order, and a trailer; every byte of it is covered by one of the CRC32C checksums, so any single
 * flipped bit is detected (a CRC detects every single-bit error), and the structure is checked
 * besides (markers, indexes, counts, lengths).
 *
 * <pre>
 * File header (64 bytes)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |               magic "LARDERSN" (8 ASCII bytes)                |  0
 *  +---------------------------------------------------------------+
 *  |                        format version                         |  8
 *  +---------------------------------------------------------------+
 *  |                  header length (64, this header)              | 12
 *  +---------------------------------------------------------------+
 *  |                  capacity of the saved cache (long)           | 16
 *  +---------------------------------------------------------------+
 *  |                  segment count = section count                | 24
 *  +---------------------------------------------------------------+
 *  |     hash function id (1 SipHash-1-3, 2 fast); the key is not  | 28
 *  |     stored: the loading cache re-hashes every key with its own|
 *  +---------------------------------------------------------------+
 *  |           saved-at: wall-clock ms since 1970 (long)           | 32
 *  +---------------------------------------------------------------+
 *  |                    reserved, 0 (20 bytes)                     | 40
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of bytes 0 to 59                       | 60
 *  +---------------------------------------------------------------+
 *
 * Section header (32 bytes), followed by its payload
 *  +---------------------------------------------------------------+
 *  |                        marker "SECT"                          |  0
 *  +---------------------------------------------------------------+
 *  |                section index (0, 1, ... in order)             |  4
 *  +---------------------------------------------------------------+
 *  |                 payload length in bytes (long)                |  8
 *  +---------------------------------------------------------------+
 *  |                         entry count                           | 16
 *  +---------------------------------------------------------------+
 *  |                    CRC32C of the payload                      | 20
 *  +---------------------------------------------------------------+
 *  |                        reserved, 0                            | 24
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of bytes 0 to 27                       | 28
 *  +---------------------------------------------------------------+
 *
 * Entry record in a payload (24 bytes + key + value, unpadded), oldest entry of the segment first
 *  +-+-+-----------------------------------------------------+-+-+-+
 *  |0|H|                  reserved, 0                        |C|0|0|  0  kind: the record word's
 *  +-+-+-----------------------------------------------------+-+-+-+       flag bits, verbatim
 *  |   a chunk's check (the record's word at 16); 0 otherwise      |  4
 *  +---------------------------------------------------------------+
 *  |     expire-at: wall-clock ms since 1970, 0 = never (long)     |  8
 *  +---------------------------------------------------------------+
 *  |                key length (0 to 65535)                        | 16
 *  +---------------------------------------------------------------+
 *  |                       value length                            | 20
 *  +---------------------------------------------------------------+
 *  |                  key bytes ... value bytes ...                | 24
 *  +---------------------------------------------------------------+
 *
 * Trailer (32 bytes)
 *  +---------------------------------------------------------------+
 *  |               marker "LARDEREN" (8 ASCII bytes)               |  0
 *  +---------------------------------------------------------------+
 *  |                 entry count, all sections (long)              |  8
 *  +---------------------------------------------------------------+
 *  |               payload bytes, all sections (long)              | 16
 *  +---------------------------------------------------------------+
 *  |                        section count                          | 24
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of bytes 0 to 27                       | 28
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * C marks a chunk of a large value: its key is the chunk's 8-byte id, it has no expiry, and it is
 * restored as a chunk (under its id and check, in segment {@code id mod segments} of the loading
 * cache); H marks a large value's head, whose value is a {@link LargeValueDescriptor}, restored
 * under its re-hashed key with the flag ({@link LargeValueRestore}). Chunk records are not counted
 * as entries by a save or a load, but they are in the section and trailer counts, which count
 * records.
 *
 * An entry record is no longer than the ring record it is copied from (both have a 24-byte
 * header; ring records are padded to 8), so a segment's payload never exceeds its ring's size.
 */
public final class SnapshotDescriptor
{
    /** "LARDERSN" as a little-endian long: the file starts with these 8 ASCII bytes. */
    public static final long MAGIC = asciiLong("LARDERSN");
    /** "LARDEREN" as a little-endian long: the trailer starts with these 8 ASCII bytes. */
    public static final long TRAILER_MAGIC = asciiLong("LARDEREN");
    /** "SECT" as a little-endian int. */
    public static final int SECTION_MARKER = 'S' | 'E' << 8 | 'C' << 16 | 'T' << 24;
    /** The format version this code writes, and the newest it reads. */
    public static final int VERSION = 1;

    // file header
    static final int MAGIC_OFFSET;
    static final int VERSION_OFFSET;
    static final int HEADER_LENGTH_OFFSET;
    static final int CAPACITY_OFFSET;
    static final int SEGMENTS_OFFSET;
    static final int HASH_FUNCTION_OFFSET;
    static final int SAVED_AT_OFFSET;
    static final int HEADER_RESERVED_OFFSET;
    static final int HEADER_RESERVED_LENGTH = 20;
    static final int HEADER_CRC_OFFSET;
    /** Length of the file header. */
    public static final int HEADER_LENGTH;

    // section header
    static final int SECTION_MARKER_OFFSET;
    static final int SECTION_INDEX_OFFSET;
    static final int SECTION_PAYLOAD_LENGTH_OFFSET;
    static final int SECTION_ENTRIES_OFFSET;
    static final int SECTION_PAYLOAD_CRC_OFFSET;
    static final int SECTION_RESERVED_OFFSET;
    static final int SECTION_CRC_OFFSET;
    /** Length of a section header. */
    public static final int SECTION_HEADER_LENGTH;

    // entry record
    static final int RECORD_KIND_OFFSET;
    static final int RECORD_RESERVED_OFFSET;
    static final int RECORD_EXPIRE_AT_OFFSET;
    static final int RECORD_KEY_LENGTH_OFFSET;
    static final int RECORD_VALUE_LENGTH_OFFSET;
    /** Length of an entry record's header; the key follows. */
    public static final int RECORD_HEADER_LENGTH;

    // trailer
    static final int TRAILER_MAGIC_OFFSET;
    static final int TRAILER_ENTRIES_OFFSET;
    static final int TRAILER_PAYLOAD_BYTES_OFFSET;
    static final int TRAILER_SECTIONS_OFFSET;
    static final int TRAILER_CRC_OFFSET;
    /** Length of the trailer. */
    public static final int TRAILER_LENGTH;

    /**
     * The kind bits an entry record may carry: the record word's flag bits other than deleted and
     * padding (which a live record never has): chunk and head.
     */
    static final int KIND_MASK =
        EntryDescriptor.FLAGS_MASK & ~(EntryDescriptor.FLAG_DELETED | EntryDescriptor.FLAG_PADDING);

    /** Hash function ids in the header. */
    public static final int HASH_SIPHASH_1_3 = 1;
    public static final int HASH_FAST_TRUSTED_KEYS = 2;

    static
    {
        int offset = 0;
        MAGIC_OFFSET = offset;
        offset += Long.BYTES;
        VERSION_OFFSET = offset;
        offset += Integer.BYTES;
        HEADER_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        CAPACITY_OFFSET = offset;
        offset += Long.BYTES;
        SEGMENTS_OFFSET = offset;
        offset += Integer.BYTES;
        HASH_FUNCTION_OFFSET = offset;
        offset += Integer.BYTES;
        SAVED_AT_OFFSET = offset;
        offset += Long.BYTES;
        HEADER_RESERVED_OFFSET = offset;
        offset += HEADER_RESERVED_LENGTH;
        HEADER_CRC_OFFSET = offset;
        offset += Integer.BYTES;
        HEADER_LENGTH = offset;

        offset = 0;
        SECTION_MARKER_OFFSET = offset;
        offset += Integer.BYTES;
        SECTION_INDEX_OFFSET = offset;
        offset += Integer.BYTES;
        SECTION_PAYLOAD_LENGTH_OFFSET = offset;
        offset += Long.BYTES;
        SECTION_ENTRIES_OFFSET = offset;
        offset += Integer.BYTES;
        SECTION_PAYLOAD_CRC_OFFSET = offset;
        offset += Integer.BYTES;
        SECTION_RESERVED_OFFSET = offset;
        offset += Integer.BYTES;
        SECTION_CRC_OFFSET = offset;
        offset += Integer.BYTES;
        SECTION_HEADER_LENGTH = offset;

        offset = 0;
        RECORD_KIND_OFFSET = offset;
        offset += Integer.BYTES;
        RECORD_RESERVED_OFFSET = offset;
        offset += Integer.BYTES;
        RECORD_EXPIRE_AT_OFFSET = offset;
        offset += Long.BYTES;
        RECORD_KEY_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        RECORD_VALUE_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        RECORD_HEADER_LENGTH = offset;

        offset = 0;
        TRAILER_MAGIC_OFFSET = offset;
        offset += Long.BYTES;
        TRAILER_ENTRIES_OFFSET = offset;
        offset += Long.BYTES;
        TRAILER_PAYLOAD_BYTES_OFFSET = offset;
        offset += Long.BYTES;
        TRAILER_SECTIONS_OFFSET = offset;
        offset += Integer.BYTES;
        TRAILER_CRC_OFFSET = offset;
        offset += Integer.BYTES;
        TRAILER_LENGTH = offset;
    }

    private SnapshotDescriptor()
    {
    }

    /** @return the length of an entry record of this key and value, a long so that it cannot overflow */
    static long recordLength(final int keyLength, final int valueLength)
    {
        return (long)RECORD_HEADER_LENGTH + keyLength + valueLength;
    }

    private static long asciiLong(final String text)
    {
        long value = 0;
        for (int i = text.length() - 1; i >= 0; i--)
        {
            value = value << 8 | text.charAt(i);
        }
        return value;
    }
}
