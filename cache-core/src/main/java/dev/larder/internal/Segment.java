package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.ALIGNMENT;
import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;
import static dev.larder.internal.EntryDescriptor.MAX_KEY_LENGTH;
import static dev.larder.internal.IndexDescriptor.EMPTY;
import static dev.larder.internal.IndexDescriptor.SLOT_LENGTH;

import dev.larder.RemovalCause;
import dev.larder.RemovalListener;
import dev.larder.ValueReader;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * One lock stripe of the cache: a ring buffer of records and an open-addressing index over it,
 * both off-heap.
 *
 * <h2>Layout</h2>
 * The ring holds records ({@link EntryDescriptor}) between {@code head} and {@code tail}; the free
 * space is {@code [tail, head)}, circularly, and {@code used} tells a full ring from an empty one.
 * Records never wrap: a record that does not fit before the end of the ring is preceded by a
 * padding record. The index ({@link IndexDescriptor}) maps a key's 32-bit tag to its record; it
 * holds live entries only, at most {@link IndexDescriptor#maxEntries(int)} of them.
 *
 * <h2>Eviction</h2>
 * freecache's near-LRU rule. When the ring lacks room, or the index is at its load limit, the
 * record at the head is examined: padding and deleted records are reclaimed; an expired entry is
 * evicted; an entry whose access time is at or below the segment's mean is evicted; otherwise it is
 * given a second chance and moved to the tail, unless {@link #MAX_CONSECUTIVE_MOVES} entries in a
 * row were already moved, in which case it is evicted regardless. Access time is a per-segment tick
 * that counts reads and writes, so recency has full resolution however fast the clock runs.
 *
 * <h2>Concurrency</h2>
 * Every public method is {@code synchronized} on the segment. Memory is touched only inside those
 * methods and only while {@code closed} is false; {@link #close()} takes the same lock, so no
 * thread can be inside the memory when the cache frees it.
 *
 * <h2>Safety</h2>
 * Every offset read from off-heap data (an index slot, a record length, a key length) is checked
 * against the ring before use; a corrupted value raises {@link IllegalStateException} instead of
 * an access outside the ring, even with Agrona bounds checks disabled.
 */
public final class Segment
{
    /** Second-chance moves in a row after which the head entry is evicted regardless. */
    public static final int MAX_CONSECUTIVE_MOVES = 5;

    /** Put modes. */
    public static final int PUT = 0;
    public static final int PUT_IF_ABSENT = 1;
    public static final int REPLACE = 2;

    /** Result of a lookup that found nothing. */
    private static final int NOT_FOUND = -1;

    /** The tick is rebased by {@link #TICK_REBASE} when it reaches this. */
    static final int TICK_LIMIT = Integer.MAX_VALUE - 1;
    /** How far a rebase shifts the tick and every access time down. */
    static final int TICK_REBASE = 1 << 30;

    private final Memory ring;
    private final Memory index;
    private final int ringSize;
    private final int slots;
    private final int maxEntries;
    private final int maxRecordLength;
    private final MillisClock clock;

    private int head;
    private int tail;
    private int used;
    private int live;
    private long totalAccessTime;
    private int tick;
    private int consecutiveMoves;
    private boolean closed;
    /** True while user code (a reader, codec, remapper or listener) runs under this segment's lock. */
    private boolean inCallback;

    private final RemovalListener listener;
    /** Views handed to user code; bound only during a callback, to the calling thread. */
    private final ByteBufferDirectBuffer keyView = new ByteBufferDirectBuffer();
    private final ByteBufferDirectBuffer valueView = new ByteBufferDirectBuffer();

    /** Record found by the last {@link #find}: position, length and expiry; valid until the segment changes. */
    private int foundPosition;
    private int foundRecordLength;
    private long foundExpireAt;

    private long hits;
    private long misses;
    private long puts;
    private long overwrites;
    private long removals;
    private long evictions;
    private long expirations;
    private long rejections;
    private long moves;
    private long listenerFailures;

    private static final System.Logger LOGGER = System.getLogger("dev.larder");
    private static volatile boolean listenerFailureLogged;

    /**
     * @param ring  the ring buffer; its capacity must be a multiple of {@link EntryDescriptor#ALIGNMENT}
     * @param index the index; zero-filled, its capacity a multiple of {@link IndexDescriptor#SLOT_LENGTH}
     * @param clock milliseconds since the cache's epoch
     */
    public Segment(final Memory ring, final Memory index, final MillisClock clock)
    {
        this(ring, index, clock, null);
    }

    /**
     * @param listener told of every removal, or null
     */
    public Segment(final Memory ring, final Memory index, final MillisClock clock, final RemovalListener listener)
    {
        this.listener = listener;
        this.ring = ring;
        this.index = index;
        this.clock = clock;
        this.ringSize = ring.capacity();
        this.slots = index.capacity() / SLOT_LENGTH;
        this.maxEntries = IndexDescriptor.maxEntries(slots);
        this.maxRecordLength = maxRecordLength(ringSize);
        if (ringSize % ALIGNMENT != 0 || ringSize < 4 * 64)
        {
            throw new IllegalArgumentException("ring size must be a multiple of 8 and at least 256: " + ringSize);
        }
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("index must have at least 2 slots: slots=" + slots);
        }
    }

    /** @return the largest record a ring of {@code ringSize} bytes accepts: a quarter of it. */
    public static int maxRecordLength(final int ringSize)
    {
        return (ringSize / 4) & -ALIGNMENT;
    }

    // ------------------------------------------------------------------------------------------
    // Operations. key: byte[] | DirectBuffer | null (long key in keyBits). See Keys.
    // ------------------------------------------------------------------------------------------

    /**
     * Copies the value into {@code dst} when it fits.
     *
     * @param record false for a peek: no statistics, no access-time update
     * @return the value's length, or -1 when absent or expired
     */
    public synchronized int get(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        ensureOpen();
        final int position = findForRead(hash, key, keyBits, keyOffset, keyLength, record);
        if (position == NOT_FOUND)
        {
            return -1;
        }
        final int valueLength = checkedValueLength(position, foundRecordLength, keyLength);
        if (valueLength <= dstCapacity)
        {
            Keys.copyOut(ring, Entries.valueOffset(position, keyLength), dst, dstOffset, valueLength);
        }
        return valueLength;
    }

    /**
     * @param record false for a peek: no statistics, no access-time update
     * @return a copy of the value, or null when absent or expired
     */
    public synchronized byte[] get(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final boolean record)
    {
        ensureOpen();
        final int position = findForRead(hash, key, keyBits, keyOffset, keyLength, record);
        if (position == NOT_FOUND)
        {
            return null;
        }
        final byte[] value = new byte[checkedValueLength(position, foundRecordLength, keyLength)];
        ring.getBytes(Entries.valueOffset(position, keyLength), value, 0, value.length);
        return value;
    }

    /**
     * @param ttlMillis time to live, or 0 for no expiry
     * @param mode      {@link #PUT}, {@link #PUT_IF_ABSENT} or {@link #REPLACE}
     * @return true when the value was stored
     */
    public synchronized boolean put(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final Object value, final int valueOffset, final int valueLength, final long ttlMillis, final int mode)
    {
        ensureOpen();
        final long recordLength = EntryDescriptor.recordLength(keyLength, valueLength);
        if (keyLength > MAX_KEY_LENGTH || recordLength > maxRecordLength)
        {
            rejections++;
            return false;
        }
        final int slot = findLive(hash, key, keyBits, keyOffset, keyLength);
        if (slot == NOT_FOUND ? mode == REPLACE : mode == PUT_IF_ABSENT)
        {
            return false;
        }
        final long expireAt = ttlMillis > 0 ? clock.millis() + ttlMillis : 0;
        if (slot != NOT_FOUND)
        {
            final int position = foundPosition;
            final int capacity = Entries.valueCapacity(foundRecordLength, keyLength);
            overwrites++;
            notifyRemoval(position, RemovalCause.REPLACED);
            if (valueLength <= capacity)
            {
                overwriteInPlace(slot, position, keyLength, value, valueOffset, valueLength, expireAt);
                puts++;
                return true;
            }
            unlink(slot, position);
        }
        append((int)(hash >>> 32), key, keyBits, keyOffset, keyLength, value, valueOffset, valueLength,
            (int)recordLength, expireAt);
        puts++;
        return true;
    }

    /** @return true when a live entry was removed. */
    public synchronized boolean remove(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength)
    {
        ensureOpen();
        final int slot = findLive(hash, key, keyBits, keyOffset, keyLength);
        if (slot == NOT_FOUND)
        {
            return false;
        }
        notifyRemoval(foundPosition, RemovalCause.EXPLICIT);
        unlink(slot, foundPosition);
        removals++;
        return true;
    }

    /** @return true when a live entry exists; no statistics, no access-time update. */
    public synchronized boolean contains(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength)
    {
        ensureOpen();
        return findLive(hash, key, keyBits, keyOffset, keyLength) != NOT_FOUND;
    }

    /**
     * Sets a live entry's time to live, counted from now.
     *
     * @param ttlMillis time to live, or 0 for no expiry
     * @return true when the entry exists
     */
    public synchronized boolean touch(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final long ttlMillis)
    {
        ensureOpen();
        if (findLive(hash, key, keyBits, keyOffset, keyLength) == NOT_FOUND)
        {
            return false;
        }
        Entries.setExpireAt(ring, foundPosition, ttlMillis > 0 ? clock.millis() + ttlMillis : 0);
        return true;
    }

    /**
     * @return the remaining time to live in ms, {@link Long#MAX_VALUE} for no expiry, -1 when absent
     */
    public synchronized long ttlMillis(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength)
    {
        ensureOpen();
        if (findLive(hash, key, keyBits, keyOffset, keyLength) == NOT_FOUND)
        {
            return -1;
        }
        return foundExpireAt == 0 ? Long.MAX_VALUE : foundExpireAt - clock.millis();
    }

    /** Removes every entry; statistics are kept. */
    public synchronized void clear()
    {
        ensureOpen();
        if (listener != null)
        {
            int position = head;
            for (int remaining = used; remaining > 0; )
            {
                final int word = Entries.recordWord(ring, position);
                final int length = checkRecord(position, ALIGNMENT);
                if (!Entries.isPadding(word) && !Entries.isDeleted(word))
                {
                    notifyRemoval(position, RemovalCause.CLEARED);
                }
                position = position + length == ringSize ? 0 : position + length;
                remaining -= length;
            }
        }
        index.zero(0, index.capacity());
        head = 0;
        tail = 0;
        used = 0;
        live = 0;
        totalAccessTime = 0;
        consecutiveMoves = 0;
    }

    /** Marks the segment closed; later calls throw. The caller frees the memory afterwards. */
    public synchronized void close()
    {
        closed = true;
    }

    /**
     * Adds this segment's counters to {@code totals}, in the order of {@link SegmentStat}.
     */
    public synchronized void addStatsTo(final long[] totals)
    {
        ensureOpen();
        totals[SegmentStat.HITS.ordinal()] += hits;
        totals[SegmentStat.MISSES.ordinal()] += misses;
        totals[SegmentStat.PUTS.ordinal()] += puts;
        totals[SegmentStat.OVERWRITES.ordinal()] += overwrites;
        totals[SegmentStat.REMOVALS.ordinal()] += removals;
        totals[SegmentStat.EVICTIONS.ordinal()] += evictions;
        totals[SegmentStat.EXPIRATIONS.ordinal()] += expirations;
        totals[SegmentStat.REJECTIONS.ordinal()] += rejections;
        totals[SegmentStat.MOVES.ordinal()] += moves;
        totals[SegmentStat.ENTRIES.ordinal()] += live;
        totals[SegmentStat.RING_USED.ordinal()] += used;
        totals[SegmentStat.LISTENER_FAILURES.ordinal()] += listenerFailures;
    }

    /** @return the largest key + value length this segment accepts. */
    public int maxKeyPlusValue()
    {
        return maxRecordLength - HEADER_LENGTH;
    }

    /** @return the most live entries the index holds before the segment evicts. */
    public int maxEntries()
    {
        return maxEntries;
    }

    /**
     * Hands a read-only view of the value to {@code reader}, under the lock.
     *
     * @return what the reader returned, or null when absent or expired (the reader is not called)
     */
    public synchronized <R> R read(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final ValueReader<R> reader, final boolean record)
    {
        ensureOpen();
        final int position = findForRead(hash, key, keyBits, keyOffset, keyLength, record);
        if (position == NOT_FOUND)
        {
            return null;
        }
        final int valueLength = checkedValueLength(position, foundRecordLength, keyLength);
        valueView.bindTo(ring.byteBuffer(), Entries.valueOffset(position, keyLength), valueLength, false);
        inCallback = true;
        try
        {
            return reader.read(valueView);
        }
        finally
        {
            inCallback = false;
            valueView.unbind();
        }
    }

    /**
     * Atomic update: {@code remapper} sees the current value (or null) under the lock and returns
     * {@link Remapper#KEEP}, null (remove), or a new value (a {@code byte[]} or {@link ValueEncoder}).
     *
     * @param ttlMillis time to live of a new value, or 0 for none
     * @return 1 when the key now has a value, 0 when it has none, -1 when the new value was too
     *     large (rejected and counted; the entry is unchanged)
     */
    public synchronized int compute(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final Remapper remapper, final long ttlMillis)
    {
        ensureOpen();
        final int slot = findLive(hash, key, keyBits, keyOffset, keyLength);
        final int position = foundPosition;
        final Object result;
        if (slot != NOT_FOUND)
        {
            valueView.bindTo(ring.byteBuffer(), Entries.valueOffset(position, keyLength),
                checkedValueLength(position, foundRecordLength, keyLength), false);
        }
        inCallback = true;
        try
        {
            result = remapper.remap(slot == NOT_FOUND ? null : valueView);
        }
        finally
        {
            inCallback = false;
            valueView.unbind();
        }
        if (result == Remapper.KEEP)
        {
            return slot == NOT_FOUND ? 0 : 1;
        }
        if (result == null)
        {
            if (slot != NOT_FOUND)
            {
                notifyRemoval(position, RemovalCause.EXPLICIT);
                unlink(slot, position);
                removals++;
            }
            return 0;
        }
        final int valueLength = result instanceof byte[] ? ((byte[])result).length : ((ValueEncoder)result).encodedLength();
        final long recordLength = EntryDescriptor.recordLength(keyLength, valueLength);
        if (keyLength > MAX_KEY_LENGTH || recordLength > maxRecordLength)
        {
            rejections++;
            return -1;
        }
        final long expireAt = ttlMillis > 0 ? clock.millis() + ttlMillis : 0;
        if (slot != NOT_FOUND)
        {
            overwrites++;
            notifyRemoval(position, RemovalCause.REPLACED);
            if (valueLength <= Entries.valueCapacity(foundRecordLength, keyLength))
            {
                overwriteInPlace(slot, position, keyLength, result, 0, valueLength, expireAt);
                puts++;
                return 1;
            }
            unlink(slot, position);
        }
        append((int)(hash >>> 32), key, keyBits, keyOffset, keyLength, result, 0, valueLength, (int)recordLength,
            expireAt);
        puts++;
        return 1;
    }

    /**
     * Copies the keys of the live, unexpired entries, oldest first, for weakly consistent iteration.
     */
    public synchronized void snapshotKeys(final List<byte[]> keys)
    {
        ensureOpen();
        final long now = clock.millis();
        int position = head;
        for (int remaining = used; remaining > 0; )
        {
            final int word = Entries.recordWord(ring, position);
            final int length = checkRecord(position, ALIGNMENT);
            if (!Entries.isPadding(word) && !Entries.isDeleted(word))
            {
                final int keyLength = Entries.keyLength(ring, position);
                checkRecord(position, HEADER_LENGTH + keyLength);
                final long expireAt = Entries.expireAt(ring, position);
                if (expireAt == 0 || expireAt > now)
                {
                    final byte[] key = new byte[keyLength];
                    ring.getBytes(Entries.keyOffset(position), key, 0, keyLength);
                    keys.add(key);
                }
            }
            position = position + length == ringSize ? 0 : position + length;
            remaining -= length;
        }
    }

    /**
     * A peek that also reports the remaining time to live.
     *
     * @param ttlOut receives the remaining ms, or {@link Long#MAX_VALUE} for no expiry, at index 0
     * @return a copy of the value, or null when absent or expired
     */
    public synchronized byte[] peekEntry(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final long[] ttlOut)
    {
        ensureOpen();
        if (findLive(hash, key, keyBits, keyOffset, keyLength) == NOT_FOUND)
        {
            return null;
        }
        final byte[] value = new byte[checkedValueLength(foundPosition, foundRecordLength, keyLength)];
        ring.getBytes(Entries.valueOffset(foundPosition, keyLength), value, 0, value.length);
        ttlOut[0] = foundExpireAt == 0 ? Long.MAX_VALUE : foundExpireAt - clock.millis();
        return value;
    }

    /** Writes a value into a live record that has room for it; a codec failure removes the entry. */
    private void overwriteInPlace(
        final int slot, final int position, final int keyLength,
        final Object value, final int valueOffset, final int valueLength, final long expireAt)
    {
        try
        {
            writeValue(Entries.valueOffset(position, keyLength), value, valueOffset, valueLength);
        }
        catch (final RuntimeException | Error ex)
        {
            unlink(slot, position);
            throw ex;
        }
        Entries.setValueLength(ring, position, valueLength);
        Entries.setExpireAt(ring, position, expireAt);
        recordAccess(position);
    }

    /** Writes a value from a {@code byte[]}, a {@link DirectBuffer} or a {@link ValueEncoder}. */
    private void writeValue(final int at, final Object value, final int valueOffset, final int valueLength)
    {
        if (value instanceof ValueEncoder)
        {
            valueView.bindTo(ring.byteBuffer(), at, valueLength, true);
            inCallback = true;
            try
            {
                ((ValueEncoder)value).encode(valueView, 0);
            }
            finally
            {
                inCallback = false;
                valueView.unbind();
            }
        }
        else
        {
            Keys.write(ring, at, value, 0, valueOffset, valueLength);
        }
    }

    /** Tells the listener, if any, that the live record at {@code position} is leaving. */
    private void notifyRemoval(final int position, final RemovalCause cause)
    {
        if (listener == null)
        {
            return;
        }
        final int keyLength = Entries.keyLength(ring, position);
        final int recordLength = checkRecord(position, HEADER_LENGTH + keyLength);
        keyView.bindTo(ring.byteBuffer(), Entries.keyOffset(position), keyLength, false);
        valueView.bindTo(ring.byteBuffer(), Entries.valueOffset(position, keyLength),
            checkedValueLength(position, recordLength, keyLength), false);
        inCallback = true;
        try
        {
            listener.onRemoval(keyView, valueView, cause);
        }
        catch (final VirtualMachineError ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            listenerFailures++;
            if (!listenerFailureLogged)
            {
                listenerFailureLogged = true;
                LOGGER.log(System.Logger.Level.WARNING, "removal listener failed (further failures are only " +
                    "counted in CacheStats.listenerFailureCount)", ex);
            }
        }
        finally
        {
            inCallback = false;
            keyView.unbind();
            valueView.unbind();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Lookup
    // ------------------------------------------------------------------------------------------

    /**
     * Finds a live entry for a read; with {@code record}, counts a hit (and refreshes the entry's
     * access time) or a miss.
     *
     * @return the record position, or {@link #NOT_FOUND}
     */
    private int findForRead(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final boolean record)
    {
        if (findLive(hash, key, keyBits, keyOffset, keyLength) == NOT_FOUND)
        {
            if (record)
            {
                misses++;
            }
            return NOT_FOUND;
        }
        if (record)
        {
            hits++;
            recordAccess(foundPosition);
        }
        return foundPosition;
    }

    /**
     * Finds the index slot of a live entry, leaving its record position in {@link #foundPosition}.
     * An expired entry met on the way is removed and counted.
     *
     * @return the slot, or {@link #NOT_FOUND}
     */
    private int findLive(
        final long hash, final Object key, final long keyBits, final int keyOffset, final int keyLength)
    {
        final int slot = find((int)(hash >>> 32), key, keyBits, keyOffset, keyLength);
        if (slot != NOT_FOUND)
        {
            final long expireAt = foundExpireAt;
            if (expireAt != 0 && expireAt <= clock.millis())
            {
                notifyRemoval(foundPosition, RemovalCause.EXPIRED);
                unlink(slot, foundPosition);
                expirations++;
                return NOT_FOUND;
            }
        }
        return slot;
    }

    private int find(final int tag, final Object key, final long keyBits, final int keyOffset, final int keyLength)
    {
        int slot = IndexDescriptor.home(tag, slots);
        while (true)
        {
            final long value = index.getLong(slot * SLOT_LENGTH);
            if (value == EMPTY)
            {
                return NOT_FOUND;
            }
            if (IndexDescriptor.tag(value) == tag)
            {
                final int position = checkedPosition(value);
                final long expiryKeyLength = Entries.expiryKeyLengthWord(ring, position);
                if (Entries.keyLengthOf(expiryKeyLength) == keyLength)
                {
                    final int recordLength = checkRecord(position, HEADER_LENGTH + keyLength);
                    if (Keys.equal(ring, Entries.keyOffset(position), key, keyBits, keyOffset, keyLength))
                    {
                        foundPosition = position;
                        foundRecordLength = recordLength;
                        foundExpireAt = Entries.expireAtOf(expiryKeyLength);
                        return slot;
                    }
                }
            }
            slot = next(slot);
        }
    }

    private int next(final int slot)
    {
        final int next = slot + 1;
        return next == slots ? 0 : next;
    }

    /** @return the slot that points at the record at {@code position}. */
    private int slotOf(final int tag, final int position)
    {
        final long wanted = IndexDescriptor.slot(tag, position);
        int slot = IndexDescriptor.home(tag, slots);
        for (int probes = 0; probes < slots; probes++)
        {
            final long value = index.getLong(slot * SLOT_LENGTH);
            if (value == wanted)
            {
                return slot;
            }
            if (value == EMPTY)
            {
                break;
            }
            slot = next(slot);
        }
        throw new IllegalStateException("segment index has no slot for the live record at " + position);
    }

    private void insertSlot(final int tag, final int position)
    {
        int slot = IndexDescriptor.home(tag, slots);
        while (index.getLong(slot * SLOT_LENGTH) != EMPTY)
        {
            slot = next(slot);
        }
        index.putLong(slot * SLOT_LENGTH, IndexDescriptor.slot(tag, position));
    }

    /** Backward-shift deletion: keeps every probe chain gap-free, so no tombstones are needed. */
    private void deleteSlot(final int slot)
    {
        int hole = slot;
        int current = slot;
        while (true)
        {
            current = next(current);
            final long value = index.getLong(current * SLOT_LENGTH);
            if (value == EMPTY)
            {
                break;
            }
            final int home = IndexDescriptor.home(IndexDescriptor.tag(value), slots);
            final boolean stays = hole <= current ? hole < home && home <= current : hole < home || home <= current;
            if (!stays)
            {
                index.putLong(hole * SLOT_LENGTH, value);
                hole = current;
            }
        }
        index.putLong(hole * SLOT_LENGTH, EMPTY);
    }

    // ------------------------------------------------------------------------------------------
    // Records
    // ------------------------------------------------------------------------------------------

    /** Removes a live entry from the index and marks its record deleted. */
    private void unlink(final int slot, final int position)
    {
        deleteSlot(slot);
        Entries.markDeleted(ring, position);
        live--;
        totalAccessTime -= Entries.accessTime(ring, position);
    }

    private void append(
        final int tag, final Object key, final long keyBits, final int keyOffset, final int keyLength,
        final Object value, final int valueOffset, final int valueLength, final int recordLength, final long expireAt)
    {
        while (live >= maxEntries)
        {
            evictHead();
        }
        while (true)
        {
            final int padding = tail + recordLength > ringSize ? ringSize - tail : 0;
            if (ringSize - used >= padding + recordLength)
            {
                break;
            }
            evictHead();
        }
        if (tail + recordLength > ringSize)
        {
            wrapTail();
        }
        final int position = tail;
        final int accessTime = nextTick();
        Entries.writeHeader(ring, position, recordLength, tag, expireAt, keyLength, accessTime, valueLength);
        Keys.write(ring, Entries.keyOffset(position), key, keyBits, keyOffset, keyLength);
        writeValue(Entries.valueOffset(position, keyLength), value, valueOffset, valueLength);
        advanceTail(recordLength);
        insertSlot(tag, position);
        live++;
        totalAccessTime += accessTime;
    }

    /** Pads the ring from the tail to its end and moves the tail to offset 0. */
    private void wrapTail()
    {
        final int padding = ringSize - tail;
        Entries.writePadding(ring, tail, padding);
        used += padding;
        tail = 0;
    }

    private void advanceTail(final int length)
    {
        tail += length;
        if (tail == ringSize)
        {
            tail = 0;
        }
        used += length;
    }

    /** Examines the head record and reclaims, evicts or moves it (see the class comment). */
    private void evictHead()
    {
        final int position = head;
        final int word = Entries.recordWord(ring, position);
        final int recordLength = Entries.recordLength(word);
        checkRecord(position, Math.max(recordLength, ALIGNMENT));
        if (Entries.isPadding(word) || Entries.isDeleted(word))
        {
            consecutiveMoves = 0;
            reclaimHead(recordLength);
            return;
        }
        checkRecord(position, HEADER_LENGTH + Entries.keyLength(ring, position));
        final int tag = Entries.tag(ring, position);
        final long expireAt = Entries.expireAt(ring, position);
        final int accessTime = Entries.accessTime(ring, position);
        final boolean expired = expireAt != 0 && expireAt <= clock.millis();
        if (expired || consecutiveMoves >= MAX_CONSECUTIVE_MOVES || (long)accessTime * live <= totalAccessTime)
        {
            notifyRemoval(position, expired ? RemovalCause.EXPIRED : RemovalCause.EVICTED);
            deleteSlot(slotOf(tag, position));
            live--;
            totalAccessTime -= accessTime;
            if (expired)
            {
                expirations++;
            }
            else
            {
                evictions++;
            }
            consecutiveMoves = 0;
            reclaimHead(recordLength);
            return;
        }
        consecutiveMoves++;
        moves++;
        moveHeadToTail(tag, position, recordLength);
    }

    private void reclaimHead(final int length)
    {
        head += length;
        if (head == ringSize)
        {
            head = 0;
        }
        used -= length;
        if (used == 0)
        {
            head = 0;
            tail = 0;
        }
    }

    /**
     * Second chance: the head record becomes the newest. When the ring is full the record stays
     * where it is and head and tail step over it; otherwise it is copied to the tail (the ranges
     * may overlap; the destination is always below the source, so the copy is safe).
     */
    private void moveHeadToTail(final int tag, final int position, final int recordLength)
    {
        if (used == ringSize)
        {
            head = position + recordLength == ringSize ? 0 : position + recordLength;
            tail = head;
            return;
        }
        if (tail + recordLength > ringSize)
        {
            wrapTail();
        }
        final int destination = tail;
        ring.move(position, destination, recordLength);
        index.putLong(slotOf(tag, position) * SLOT_LENGTH, IndexDescriptor.slot(tag, destination));
        head = position + recordLength == ringSize ? 0 : position + recordLength;
        tail = destination + recordLength == ringSize ? 0 : destination + recordLength;
    }

    private void recordAccess(final int position)
    {
        final int now = nextTick();
        final int previous = Entries.accessTime(ring, position);
        Entries.setAccessTime(ring, position, now);
        totalAccessTime += now - previous;
    }

    private int nextTick()
    {
        if (tick >= TICK_LIMIT)
        {
            rebaseTicks();
        }
        return ++tick;
    }

    /** Shifts every access time down by {@link #TICK_REBASE} so the tick never overflows. */
    private void rebaseTicks()
    {
        long total = 0;
        int position = head;
        for (int remaining = used; remaining > 0; )
        {
            final int word = Entries.recordWord(ring, position);
            final int length = Entries.recordLength(word);
            checkRecord(position, Math.max(length, ALIGNMENT));
            if (!Entries.isPadding(word) && !Entries.isDeleted(word))
            {
                final int accessTime = Math.max(0, Entries.accessTime(ring, position) - TICK_REBASE);
                Entries.setAccessTime(ring, position, accessTime);
                total += accessTime;
            }
            position = position + length == ringSize ? 0 : position + length;
            remaining -= length;
        }
        tick -= TICK_REBASE;
        totalAccessTime = total;
    }

    // ------------------------------------------------------------------------------------------
    // Checks
    // ------------------------------------------------------------------------------------------

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("cache is closed");
        }
        if (inCallback)
        {
            throw new IllegalStateException("the cache must not be called from a reader, codec, remapper or listener");
        }
    }

    private int checkedPosition(final long slotValue)
    {
        final long position = IndexDescriptor.position(slotValue);
        if (position < 0 || position > ringSize - HEADER_LENGTH)
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
    private int checkRecord(final int position, final int minimum)
    {
        final int length = Entries.recordLength(Entries.recordWord(ring, position));
        if (length < minimum || length > ringSize - position)
        {
            throw corrupted("record length " + length + " does not fit the ring", position);
        }
        return length;
    }

    private int checkedValueLength(final int position, final int recordLength, final int keyLength)
    {
        final int valueLength = Entries.valueLength(ring, position);
        final int capacity = Entries.valueCapacity(recordLength, keyLength);
        if (valueLength < 0 || valueLength > capacity)
        {
            throw corrupted("value length " + valueLength + " exceeds its record", position);
        }
        return valueLength;
    }

    private IllegalStateException corrupted(final String what, final long position)
    {
        return new IllegalStateException("corrupted segment: " + what + ": position=" + position +
            ", ringSize=" + ringSize);
    }

    // ------------------------------------------------------------------------------------------
    // Test support
    // ------------------------------------------------------------------------------------------

    /**
     * Walks the ring and the index and checks that they agree: every live record is indexed at
     * its position, the index holds nothing else, and the counters match.
     *
     * @throws IllegalStateException describing the first inconsistency found
     */
    public synchronized void verifyInvariants()
    {
        ensureOpen();
        int position = head;
        int liveRecords = 0;
        long total = 0;
        for (int remaining = used; remaining > 0; )
        {
            final int word = Entries.recordWord(ring, position);
            final int length = Entries.recordLength(word);
            checkRecord(position, Math.max(length, ALIGNMENT));
            if (!Entries.isPadding(word) && !Entries.isDeleted(word))
            {
                checkRecord(position, HEADER_LENGTH + Entries.keyLength(ring, position));
                slotOf(Entries.tag(ring, position), position);
                liveRecords++;
                total += Entries.accessTime(ring, position);
            }
            position = position + length == ringSize ? 0 : position + length;
            remaining -= length;
        }
        if (position != tail)
        {
            throw new IllegalStateException("ring walk ended at " + position + ", tail=" + tail);
        }
        int indexed = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            if (index.getLong(slot * SLOT_LENGTH) != EMPTY)
            {
                indexed++;
            }
        }
        if (liveRecords != live || indexed != live || total != totalAccessTime)
        {
            throw new IllegalStateException("counters disagree: live=" + live + ", liveRecords=" + liveRecords +
                ", indexed=" + indexed + ", totalAccessTime=" + totalAccessTime + ", walked=" + total);
        }
    }

    /** Moves the access tick, to test rebasing without 2^31 operations. */
    synchronized void setTickForTest(final int value)
    {
        tick = value;
    }
}
