package dev.larder.internal;

import static dev.larder.internal.SnapshotDescriptor.KIND_MASK;
import static dev.larder.internal.SnapshotDescriptor.RECORD_EXPIRE_AT_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.RECORD_KEY_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_KIND_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_RESERVED_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_VALUE_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_ENTRIES_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.SECTION_INDEX_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_MARKER;
import static dev.larder.internal.SnapshotDescriptor.SECTION_MARKER_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_PAYLOAD_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_PAYLOAD_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_RESERVED_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The staging buffer of a save: one section ({@link SnapshotDescriptor}), header and payload, as it
 * goes to the file. {@link Segment#copyLiveRecords} fills the payload under the segment lock;
 * {@link #seal} writes the header and checksums afterwards, outside it. Reused for every segment:
 * its capacity is a section header plus a ring, which no payload exceeds.
 *
 * <h2>Time</h2>
 * A record's expire-at goes from the cache's clock (ms since its epoch) to the wall clock: the
 * remaining time to live is added to the wall-clock time read just before the lock was taken.
 * Records already expired are left out, and counted.
 */
final class SnapshotSection
{
    private final ByteBuffer bytes;
    private final ByteBufferDirectBuffer out;
    private final CRC32C crc = new CRC32C();
    private Ring ring;
    private long now;
    private long wallNow;
    private int cursor;
    private int entries;
    private long expired;
    private long chunks;

    /** @param bytes the staging buffer: a section header plus the largest ring of the cache */
    SnapshotSection(final ByteBuffer bytes)
    {
        this.bytes = bytes;
        this.out = new ByteBufferDirectBuffer(bytes);
    }

    /** Starts a section; {@code wallNow} is the wall-clock time in ms since 1970. */
    void begin(final long wallNow)
    {
        this.wallNow = wallNow;
        this.cursor = SECTION_HEADER_LENGTH;
        this.entries = 0;
    }

    /** Copies the ring's live records unexpired at {@code now} (the cache's clock); under the segment lock. */
    void copy(final Ring ring, final long now)
    {
        this.ring = ring;
        this.now = now;
        ring.forEachLive(this, SnapshotSection::copyRecord);
        this.ring = null;
    }

    private void copyRecord(final int position)
    {
        final Memory memory = ring.memory();
        final long word = Entries.expiryKeyLengthWord(memory, position);
        final long expireAt = Entries.expireAtOf(word);
        if (Expiry.isExpired(expireAt, now))
        {
            expired++;
            return;
        }
        final int recordWord = Entries.recordWord(memory, position);
        final int keyLength = Entries.keyLengthOf(word);
        final int valueLength = ring.checkedValueLength(position, Entries.recordLength(recordWord), keyLength);
        final int at = cursor;
        out.putInt(at + RECORD_KIND_OFFSET, recordWord & KIND_MASK, LITTLE_ENDIAN);
        out.putInt(at + RECORD_RESERVED_OFFSET, Entries.chunkCheck(memory, position), LITTLE_ENDIAN);
        out.putLong(at + RECORD_EXPIRE_AT_OFFSET, expireAt == 0 ? 0 : wallNow + (expireAt - now), LITTLE_ENDIAN);
        out.putInt(at + RECORD_KEY_LENGTH_OFFSET, keyLength, LITTLE_ENDIAN);
        out.putInt(at + RECORD_VALUE_LENGTH_OFFSET, valueLength, LITTLE_ENDIAN);
        memory.getBytes(Entries.keyOffset(position), out, at + RECORD_HEADER_LENGTH, keyLength + valueLength);
        cursor = at + RECORD_HEADER_LENGTH + keyLength + valueLength;
        entries++;
        chunks += Entries.isChunk(recordWord) ? 1 : 0;
    }

    /**
     * Writes the section header and both checksums.
     *
     * @return the section, header and payload, ready to write
     */
    ByteBuffer seal(final int sectionIndex)
    {
        final int payloadLength = cursor - SECTION_HEADER_LENGTH;
        crc.reset();
        crc.update(bytes.duplicate().position(SECTION_HEADER_LENGTH).limit(cursor));
        out.putInt(SECTION_MARKER_OFFSET, SECTION_MARKER, LITTLE_ENDIAN);
        out.putInt(SECTION_INDEX_OFFSET, sectionIndex, LITTLE_ENDIAN);
        out.putLong(SECTION_PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        out.putInt(SECTION_ENTRIES_OFFSET, entries, LITTLE_ENDIAN);
        out.putInt(SECTION_PAYLOAD_CRC_OFFSET, (int)crc.getValue(), LITTLE_ENDIAN);
        out.putInt(SECTION_RESERVED_OFFSET, 0, LITTLE_ENDIAN);
        crc.reset();
        crc.update(bytes.duplicate().position(0).limit(SECTION_CRC_OFFSET));
        out.putInt(SECTION_CRC_OFFSET, (int)crc.getValue(), LITTLE_ENDIAN);
        return bytes.duplicate().position(0).limit(cursor);
    }

    /** @return records in the sealed section, chunks of large values included */
    int entries()
    {
        return entries;
    }

    /** @return payload bytes of the sealed section */
    int payloadLength()
    {
        return cursor - SECTION_HEADER_LENGTH;
    }

    /** @return chunk records of large values copied, over all sections: records, not entries */
    long chunks()
    {
        return chunks;
    }

    /** @return records left out as expired, over all sections */
    long expired()
    {
        return expired;
    }
}
