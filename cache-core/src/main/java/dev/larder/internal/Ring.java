package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.ALIGNMENT;
import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;

import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A segment's ring buffer of records: where they are, and whether an offset read from them can be
 * trusted.
 *
 * <h2>Layout</h2>
 * Records ({@link EntryDescriptor}, accessor {@link Entries}) lie between {@code head} and
 * {@code tail}, oldest first; the free space is {@code [tail, head)}, circularly, and {@code used}
 * tells a full ring from an empty one. Records start on 8-byte boundaries and never wrap: one that
 * does not fit before the end is preceded by a padding record up to the end, so a key or value is
 * always one contiguous range. Appending happens at the tail, reclaiming at the head; the segment
 * decides which head record goes ({@link EvictionPolicy}). A record is at most
 * {@link #maxRecordLength(int)}: a quarter of the ring.
 *
 * <h2>Safety</h2>
 * Every offset and length read from the ring or the index is checked before use. Under the lock a
 * bad one is corruption and raises {@code IllegalStateException("corrupted segment: ...")} instead of
 * an access outside the ring, even with Agrona bounds checks off; for a lock-free reader it means
 * a writer is at work, and the answer is "retry" ({@link #holdsHeaderAt}, {@link #recordFits},
 * {@link #valueLengthIfSound}). A length is bounded by the largest record before anything is
 * allocated or copied, so a torn or corrupted length never makes a read allocate more than that.
 *
 * <h2>Concurrency</h2>
 * Written only under the segment lock; lock-free readers read records (checked as above) but never
 * {@code head}, {@code tail} or {@code used}.
 */
class Ring
{
    /** Visits a live record, with a context that saves a capturing lambda. */
    @FunctionalInterface
    interface RecordVisitor<C>
    {
        void visit(C context, int position);
    }

    private final Memory memory;
    private final int size;
    private final int maxRecordLength;
    private int head;
    private int tail;
    private int used;

    /** @param memory the ring's bytes; a multiple of {@link EntryDescriptor#ALIGNMENT}, at least 256 */
    Ring(final Memory memory)
    {
        this(memory, maxRecordLength(memory.capacity()));
    }

    /**
     * @param memory          the ring's bytes; a multiple of {@link EntryDescriptor#ALIGNMENT}, at least 256
     * @param maxRecordLength the largest record it accepts
     */
    Ring(final Memory memory, final int maxRecordLength)
    {
        this.memory = memory;
        this.size = memory.capacity();
        this.maxRecordLength = maxRecordLength;
        if (size % ALIGNMENT != 0 || size < 4 * 64)
        {
            throw new IllegalArgumentException("ring size must be a multiple of 8 and at least 256: " + size);
        }
    }

    /** @return the largest record a ring of {@code ringSize} bytes accepts: a quarter of it. */
    static int maxRecordLength(final int ringSize)
    {
        return (ringSize / 4) & -ALIGNMENT;
    }

    /**
     * The size rule of every write: a key of at most {@link EntryDescriptor#MAX_KEY_LENGTH} bytes,
     * and a record of at most {@link #maxRecordLength()}.
     *
     * @return true when a record of this key and value length may be appended
     */
    boolean fits(final int keyLength, final int valueLength)
    {
        return keyLength <= EntryDescriptor.MAX_KEY_LENGTH &&
            EntryDescriptor.recordLength(keyLength, valueLength) <= maxRecordLength;
    }

    Memory memory()
    {
        return memory;
    }

    int size()
    {
        return size;
    }

    int maxRecordLength()
    {
        return maxRecordLength;
    }

    /** @return bytes between head and tail, padding and deleted records included */
    int used()
    {
        return used;
    }

    /** @return the position of the oldest record */
    int head()
    {
        return head;
    }

    // ------------------------------------------------------------------------------------------
    // Appending and reclaiming
    // ------------------------------------------------------------------------------------------

    /** @return true when a record of {@code recordLength} fits at the tail, with the padding it may need */
    boolean hasRoomFor(final int recordLength)
    {
        final int padding = tail + recordLength > size ? size - tail : 0;
        return size - used >= padding + recordLength;
    }

    /**
     * Pads the ring up to its end if the record would not fit before it; {@link #hasRoomFor} must
     * hold. The record counts as appended only at {@link #commit}.
     *
     * @return where to write a record of {@code recordLength}
     */
    int reserve(final int recordLength)
    {
        if (tail + recordLength > size)
        {
            wrapTail();
        }
        return tail;
    }

    /** Appends the record written at the tail. */
    void commit(final int recordLength)
    {
        tail = advance(tail, recordLength);
        used += recordLength;
    }

    /** Frees the head record, of {@code length} bytes. */
    void reclaimHead(final int length)
    {
        head = advance(head, length);
        used -= length;
        if (used == 0)
        {
            head = 0;
            tail = 0;
        }
    }

    /**
     * Makes the head record the newest. When the ring is full it stays where it is and head and
     * tail step over it; otherwise it is copied to the tail (the ranges may overlap; the
     * destination is always below the source, so the copy is safe).
     *
     * @return the record's position afterwards
     */
    int moveHeadToTail(final int recordLength)
    {
        final int position = head;
        if (used == size)
        {
            head = advance(position, recordLength);
            tail = head;
            return position;
        }
        final int destination = reserve(recordLength);
        memory.move(position, destination, recordLength);
        head = advance(position, recordLength);
        tail = advance(destination, recordLength);
        return destination;
    }

    /** Marks the live record at {@code position} deleted; its space waits for the head. */
    void markDeleted(final int position)
    {
        Entries.markDeleted(memory, position);
    }

    /** Empties the ring; the bytes are left as they are. */
    void clear()
    {
        head = 0;
        tail = 0;
        used = 0;
    }

    private void wrapTail()
    {
        final int padding = size - tail;
        Entries.writePadding(memory, tail, padding);
        used += padding;
        tail = 0;
    }

    private int advance(final int position, final int length)
    {
        return position + length == size ? 0 : position + length;
    }

    // ------------------------------------------------------------------------------------------
    // Records
    // ------------------------------------------------------------------------------------------

    /**
     * Writes a live record's header and key; its value follows at {@link Entries#valueOffset}.
     *
     * @param kind 0, or the head flag for a large value's head; a chunk key makes a chunk record
     */
    void writeRecord(
        final int position, final int recordLength, final KeyRef key, final long expireAt, final int valueLength,
        final int kind)
    {
        Entries.writeHeader(memory, position, recordLength, key.isChunk() ? EntryDescriptor.FLAG_CHUNK : kind,
            key.tag(), expireAt, key.length(), valueLength, key.isChunk() ? key.chunkCheck() : 0);
        key.writeTo(memory, Entries.keyOffset(position));
    }

    /** Writes {@code length} bytes of a {@code byte[]} or {@link DirectBuffer} at {@code index}. */
    void write(final int index, final Object source, final int offset, final int length)
    {
        if (source instanceof byte[])
        {
            memory.putBytes(index, (byte[])source, offset, length);
        }
        else
        {
            memory.putBytes(index, (DirectBuffer)source, offset, length);
        }
    }

    /** Copies {@code length} bytes at {@code index} to a {@code byte[]} or {@link MutableDirectBuffer}. */
    void copyTo(final int index, final Object dst, final int dstOffset, final int length)
    {
        if (dst instanceof byte[])
        {
            memory.getBytes(index, (byte[])dst, dstOffset, length);
        }
        else
        {
            memory.getBytes(index, (MutableDirectBuffer)dst, dstOffset, length);
        }
    }

    /** @return a copy of {@code length} bytes at {@code index} */
    byte[] copy(final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        memory.getBytes(index, bytes, 0, length);
        return bytes;
    }

    /**
     * Walks the records from head to tail, checking each, and calls {@code visitor} for the live
     * ones (neither padding nor deleted).
     *
     * @return the number of live records
     * @throws IllegalStateException when a record does not fit the ring or the walk misses the tail
     */
    <C> int forEachLive(final C context, final RecordVisitor<C> visitor)
    {
        int position = head;
        int live = 0;
        for (int remaining = used; remaining > 0; )
        {
            final int word = Entries.recordWord(memory, position);
            final int length = checkRecord(position, ALIGNMENT);
            if (!Entries.isPadding(word) && !Entries.isDeleted(word))
            {
                checkRecord(position, HEADER_LENGTH + Entries.keyLength(memory, position));
                visitor.visit(context, position);
                live++;
            }
            position = advance(position, length);
            remaining -= length;
        }
        if (position != tail)
        {
            throw new IllegalStateException("ring walk ended at " + position + ", tail=" + tail);
        }
        return live;
    }

    /** Adds copies of the keys of the live user records (not chunks) unexpired at {@code now}, oldest first. */
    void copyKeys(final List<byte[]> keys, final long now)
    {
        forEachLive(keys, (list, position) ->
        {
            if (!Entries.isChunk(Entries.recordWord(memory, position)) &&
                !Expiry.isExpired(Entries.expireAt(memory, position), now))
            {
                list.add(copy(Entries.keyOffset(position), Entries.keyLength(memory, position)));
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // Checks under the lock: a bad offset is corruption
    // ------------------------------------------------------------------------------------------

    /** @return the position in an index slot, checked to leave room for a header in the ring */
    int checkedPosition(final long slotValue)
    {
        final long position = IndexDescriptor.position(slotValue);
        if (!holdsHeaderAt(position))
        {
            throw corrupted("index slot points outside the ring", position);
        }
        return (int)position;
    }

    /**
     * Checks that a record at {@code position} spans at least {@code minimum} bytes inside the ring.
     *
     * @return the record length
     */
    int checkRecord(final int position, final int minimum)
    {
        final int length = Entries.recordLength(Entries.recordWord(memory, position));
        if (length < minimum || length > size - position)
        {
            throw corrupted("record length " + length + " does not fit the ring", position);
        }
        return length;
    }

    /** @return the value length of a live record, checked against the record and the largest record */
    int checkedValueLength(final int position, final int recordLength, final int keyLength)
    {
        if (recordLength > maxRecordLength)
        {
            throw corrupted("record length " + recordLength + " exceeds the largest record, " + maxRecordLength,
                position);
        }
        final int valueLength = Entries.valueLength(memory, position);
        if (valueLength < 0 || valueLength > Entries.valueCapacity(recordLength, keyLength))
        {
            throw corrupted("value length " + valueLength + " exceeds its record", position);
        }
        return valueLength;
    }

    private IllegalStateException corrupted(final String what, final long position)
    {
        return new IllegalStateException("corrupted segment: " + what + ": position=" + position +
            ", ringSize=" + size);
    }

    // ------------------------------------------------------------------------------------------
    // Checks without the lock: a bad offset means a writer is at work
    // ------------------------------------------------------------------------------------------

    /** @return true when a record header at {@code position} lies inside the ring */
    boolean holdsHeaderAt(final long position)
    {
        return position >= 0 && position <= size - HEADER_LENGTH;
    }

    /** @return true when the record at {@code position} (inside the ring) spans its header and key inside the ring */
    boolean recordFits(final int position, final int keyLength)
    {
        final int recordLength = Entries.recordLength(Entries.recordWord(memory, position));
        return recordLength >= HEADER_LENGTH + keyLength && recordLength <= size - position;
    }

    /**
     * @return the value length of the record at {@code position}, or -1 when it does not fit its
     *     record or the record is longer than any the ring accepts (torn: a writer is at work)
     */
    int valueLengthIfSound(final int position, final int keyLength)
    {
        final int recordLength = Entries.recordLength(Entries.recordWord(memory, position));
        final int valueLength = Entries.valueLength(memory, position);
        if (recordLength > maxRecordLength || recordLength > size - position || valueLength < 0 ||
            valueLength > Entries.valueCapacity(recordLength, keyLength))
        {
            return -1;
        }
        return valueLength;
    }
}
