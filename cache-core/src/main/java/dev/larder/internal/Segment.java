package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.ALIGNMENT;
import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;
import static dev.larder.internal.EntryDescriptor.MAX_KEY_LENGTH;
import static dev.larder.internal.IndexDescriptor.EMPTY;
import static dev.larder.internal.IndexDescriptor.SLOT_LENGTH;

import dev.larder.RemovalCause;
import dev.larder.RemovalListener;
import dev.larder.ValueReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * A second-chance ring (CLOCK) with an age limit. Each index slot carries a referenced bit R and
 * the 4-bit epoch of the entry's last access ({@link IndexDescriptor}). The segment's epoch
 * advances every {@code holds / }{@link #EPOCHS_PER_TURNOVER} insertions, where {@code holds} is
 * the number of entries the segment holds when full (estimated from the live count and the bytes
 * they use, so the estimate is right while the segment fills), so {@value #EPOCHS_PER_TURNOVER}
 * epochs are about one turnover of the segment's contents. When the ring
 * lacks room, or the index is at its load limit, the record at the head is examined: padding and
 * deleted records are reclaimed; an expired entry is evicted; an entry with R set whose last access
 * is less than {@link #KEEP_AGE} epochs old gets a second chance: R is cleared and the record moves
 * to the tail; any other entry is evicted. Plain CLOCK (R alone) keeps an entry read once, long
 * ago, for another full turn; the age limit makes it behave like LRU on the reference traces
 * (docs/benchmarks.md). Moves in a row are bounded by the live count: after one full sweep every
 * R is clear, so the head is evicted. Each move consumes an R that a read set, so moves cost no
 * more than reads, amortised.
 *
 * <h2>Concurrency</h2>
 * Writes, and reads that run user code, are {@code synchronized} on the segment. Plain reads
 * ({@code get}, {@code peek}, {@code contains}) are optimistic and take no lock: a reader reads
 * the segment's {@code version}, probes and copies, then checks that the version has not moved.
 * A writer makes the version odd before its first change to the ring or index and even again when
 * it releases the lock, so a reader that raced a writer retries (once), then falls back to the
 * lock. Torn data never escapes: every offset a reader computes from off-heap data is checked
 * against the ring before use, and the result is discarded unless the version check passes.
 * A read that hits sets R and the epoch with one compare-and-set on the index slot it validated,
 * and only when they change, so a read of a hot entry writes nothing at all, and statistics go to
 * per-thread stripes of the cache's {@link ReadGate}. Readers pass that gate, which
 * {@code close()} shuts and drains before the cache frees the memory; {@link #close()} takes the
 * segment lock, so no locked call is inside either.
 *
 * <h2>Callbacks</h2>
 * User code (a listener, reader, compute function, codec or user-supplied ticker) runs under the
 * lock, or, for a ticker, inside the gate. The cache's {@link CallbackGuard} keeps it from calling
 * the cache: each public method checks its caller before it locks or enters the gate, so a
 * callback that calls any segment gets an {@link IllegalStateException}, never a deadlock or a
 * segment changed under the running operation. A callback that closes the cache ends the
 * operation with an {@link IllegalStateException}; the memory is freed at the operation's last
 * step ({@link #endWrite()}, or after leaving the gate), never while it is still in use. Views
 * handed to user code are bound to the call's thread and byte range and emptied when it returns.
 *
 * <h2>Safety</h2>
 * Every offset read from off-heap data (an index slot, a record length, a key length) is checked
 * against the ring before use; a corrupted value raises {@link IllegalStateException} instead of
 * an access outside the ring, even with Agrona bounds checks disabled. A length is also bounded by
 * {@link #maxRecordLength(int)} before anything is allocated or copied, so a torn or corrupted
 * length never makes a read allocate more than the largest record.
 */
public final class Segment
{
    /** Epochs per turnover of the segment's contents. */
    public static final int EPOCHS_PER_TURNOVER = 8;
    /** A referenced entry last read fewer than this many epochs ago is kept (moved to the tail). */
    public static final int KEEP_AGE = 6;
    /** Optimistic attempts before a read takes the lock. */
    private static final int OPTIMISTIC_ATTEMPTS = 2;

    /** Result of a lookup that found nothing. */
    private static final int NOT_FOUND = -1;
    /** Result of an optimistic attempt that saw a writer at work (or data it could not trust). */
    private static final int RETRY = -2;

    /** What the allocating optimistic read returns instead of a value when it must fall back. */
    private static final byte[] RETRY_VALUE = new byte[0];
    private static final VarHandle VERSION;

    static
    {
        try
        {
            VERSION = MethodHandles.lookup().findVarHandle(Segment.class, "version", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Memory ring;
    private final Memory index;
    private final int ringSize;
    private final int slots;
    private final int maxEntries;
    private final int maxRecordLength;
    /** The farthest an entry may sit past its home slot: {@link IndexDescriptor#MAX_DISPLACEMENT}, or less in a tiny index. */
    private final int probeLimit;
    private final MillisClock clock;

    private int head;
    private int tail;
    private int used;
    private int live;
    /** Access epoch, 0 to {@link IndexDescriptor#EPOCHS} - 1; read without the lock by readers. */
    private int epoch;
    private int insertsThisEpoch;
    /** Insertions per epoch: an eighth of the entries the segment holds when full. */
    private int epochLength = 1;
    private int consecutiveMoves;
    /** Seqlock version: odd while a writer changes the ring or index. See the class comment. */
    @SuppressWarnings("unused") // accessed through VERSION
    private long version;
    /** True between {@link #beginWrite()} and {@link #endWrite()}; lock holder only. */
    private boolean writing;
    private final ReadGate gate;
    private final CallbackGuard guard;

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
    /** Evictions decided by the index's probe limit (also counted in {@link #evictions}). */
    private long collisionEvictions;
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
        this(ring, index, clock, null, new ReadGate(1), new CallbackGuard());
    }

    /**
     * @param listener told of every removal, or null
     * @param gate     the cache's gate for lock-free readers, shared by its segments
     * @param guard    the cache's callback guard and closed state, shared by its segments
     */
    public Segment(
        final Memory ring, final Memory index, final MillisClock clock, final RemovalListener listener,
        final ReadGate gate, final CallbackGuard guard)
    {
        this.listener = listener;
        this.gate = gate;
        this.guard = guard;
        this.ring = ring;
        this.index = index;
        this.clock = clock;
        this.ringSize = ring.capacity();
        this.slots = index.capacity() / SLOT_LENGTH;
        this.maxEntries = IndexDescriptor.maxEntries(slots);
        this.maxRecordLength = maxRecordLength(ringSize);
        this.probeLimit = Math.min(IndexDescriptor.MAX_DISPLACEMENT, slots - 1);
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
    // Operations. The caller has checked it is not one of the cache's callbacks (CallbackGuard.checkCaller)
    // before filling the key; see KeyRef.
    // ------------------------------------------------------------------------------------------

    /**
     * Copies the value into {@code dst} when it fits. Lock-free unless a writer is at work on this
     * segment; {@code dst} may hold scratch bytes when the result is -1 or larger than it.
     *
     * @param record false for a peek: no statistics, no access-metadata update
     * @return the value's length, or -1 when absent or expired
     */
    public int get(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        guard.checkCaller();
        final int stripe = gate.enter();
        if (stripe >= 0)
        {
            final int result;
            try
            {
                result = tryGet(key, dst, dstOffset, dstCapacity, record);
            }
            catch (final Throwable ex)
            {
                leaveGate(stripe);
                throw ex;
            }
            gate.exit(stripe, outcome(result != RETRY && record, result >= 0));
            if (result != RETRY)
            {
                return result;
            }
        }
        return lockedGet(key, dst, dstOffset, dstCapacity, record);
    }

    /**
     * Lock-free unless a writer is at work on this segment.
     *
     * @param record false for a peek: no statistics, no access-metadata update
     * @return a copy of the value, or null when absent or expired
     */
    public byte[] get(
        final KeyRef key, final boolean record)
    {
        guard.checkCaller();
        final int stripe = gate.enter();
        if (stripe >= 0)
        {
            final byte[] result;
            try
            {
                result = tryGet(key, record);
            }
            catch (final Throwable ex)
            {
                leaveGate(stripe);
                throw ex;
            }
            gate.exit(stripe, outcome(result != RETRY_VALUE && record, result != null));
            if (result != RETRY_VALUE)
            {
                return result;
            }
        }
        return lockedGet(key, record);
    }

    private synchronized int lockedGet(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        final int keyLength = key.length();
        ensureOpen();
        try
        {
            final int position = findForRead(key, record);
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
        finally
        {
            endWrite();
        }
    }

    private synchronized byte[] lockedGet(
        final KeyRef key, final boolean record)
    {
        final int keyLength = key.length();
        ensureOpen();
        try
        {
            final int position = findForRead(key, record);
            if (position == NOT_FOUND)
            {
                return null;
            }
            final byte[] value = new byte[checkedValueLength(position, foundRecordLength, keyLength)];
            ring.getBytes(Entries.valueOffset(position, keyLength), value, 0, value.length);
            return value;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * @param ttlMillis time to live, or 0 for no expiry
     * @param mode      what to do about a live entry
     * @return true when the value was stored
     */
    public boolean put(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long ttlMillis, final PutMode mode)
    {
        guard.checkCaller();
        return lockedPut(key, value, valueOffset, valueLength, ttlMillis, mode);
    }

    private synchronized boolean lockedPut(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long ttlMillis, final PutMode mode)
    {
        ensureOpen();
        try
        {
            final int keyLength = key.length();
            if (!accepts(keyLength, valueLength))
            {
                rejections++;
                return false;
            }
            final int slot = findLive(key);
            if (!mode.appliesTo(slot != NOT_FOUND))
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
            append(key, value, valueOffset, valueLength, expireAt);
            puts++;
            return true;
        }
        finally
        {
            endWrite();
        }
    }

    /** @return true when a live entry was removed. */
    public boolean remove(final KeyRef key)
    {
        guard.checkCaller();
        return lockedRemove(key);
    }

    private synchronized boolean lockedRemove(final KeyRef key)
    {
        ensureOpen();
        try
        {
            final int slot = findLive(key);
            if (slot == NOT_FOUND)
            {
                return false;
            }
            notifyRemoval(foundPosition, RemovalCause.EXPLICIT);
            unlink(slot, foundPosition);
            removals++;
            return true;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * Lock-free unless a writer is at work on this segment.
     *
     * @return true when a live entry exists; no statistics, no access-metadata update
     */
    public boolean contains(final KeyRef key)
    {
        guard.checkCaller();
        final int stripe = gate.enter();
        if (stripe >= 0)
        {
            final int result;
            try
            {
                result = tryGet(key, null, 0, -1, false);
            }
            catch (final Throwable ex)
            {
                leaveGate(stripe);
                throw ex;
            }
            gate.exit(stripe, ReadGate.EXIT);
            if (result != RETRY)
            {
                return result >= 0;
            }
        }
        return lockedContains(key);
    }

    private synchronized boolean lockedContains(final KeyRef key)
    {
        ensureOpen();
        try
        {
            return findLive(key) != NOT_FOUND;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * Sets a live entry's time to live, counted from now.
     *
     * @param ttlMillis time to live, or 0 for no expiry
     * @return true when the entry exists
     */
    public boolean touch(
        final KeyRef key, final long ttlMillis)
    {
        guard.checkCaller();
        return lockedTouch(key, ttlMillis);
    }

    private synchronized boolean lockedTouch(
        final KeyRef key, final long ttlMillis)
    {
        ensureOpen();
        try
        {
            if (findLive(key) == NOT_FOUND)
            {
                return false;
            }
            beginWrite();
            Entries.setExpireAt(ring, foundPosition, ttlMillis > 0 ? clock.millis() + ttlMillis : 0);
            return true;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * @return the remaining time to live in ms, {@link Long#MAX_VALUE} for no expiry, -1 when absent
     */
    public long ttlMillis(final KeyRef key)
    {
        guard.checkCaller();
        return lockedTtlMillis(key);
    }

    private synchronized long lockedTtlMillis(final KeyRef key)
    {
        ensureOpen();
        try
        {
            if (findLive(key) == NOT_FOUND)
            {
                return -1;
            }
            return foundExpireAt == 0 ? Long.MAX_VALUE : foundExpireAt - clock.millis();
        }
        finally
        {
            endWrite();
        }
    }

    /** Removes every entry; statistics are kept. */
    public void clear()
    {
        guard.checkCaller();
        lockedClear();
    }

    private synchronized void lockedClear()
    {
        ensureOpen();
        try
        {
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
            beginWrite();
            index.zero(0, index.capacity());
            head = 0;
            tail = 0;
            used = 0;
            live = 0;
            insertsThisEpoch = 0;
            consecutiveMoves = 0;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * Marks the segment closed, if its cache is not already, after the locked call in progress, if
     * any, has ended (or from inside it, for the thread that runs it); later calls throw. The caller
     * frees the memory afterwards.
     */
    public synchronized void close()
    {
        guard.markClosed();
    }

    /**
     * Adds this segment's counters to {@code totals}, in the order of {@link SegmentStat}.
     */
    public void addStatsTo(final long[] totals)
    {
        guard.checkCaller();
        lockedAddStatsTo(totals);
    }

    private synchronized void lockedAddStatsTo(final long[] totals)
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
        totals[SegmentStat.COLLISION_EVICTIONS.ordinal()] += collisionEvictions;
    }

    /** @return the largest key + value length this segment accepts. */
    public int maxKeyPlusValue()
    {
        return maxRecordLength - HEADER_LENGTH;
    }

    /**
     * The one size rule of every write: a key of at most {@link EntryDescriptor#MAX_KEY_LENGTH} bytes,
     * and a record of at most a quarter of the ring.
     *
     * @return true when an entry of this key and value length may be stored
     */
    public boolean accepts(final int keyLength, final int valueLength)
    {
        return keyLength <= MAX_KEY_LENGTH && EntryDescriptor.recordLength(keyLength, valueLength) <= maxRecordLength;
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
    public <R> R read(
        final KeyRef key, final ValueReader<R> reader, final boolean record)
    {
        guard.checkCaller();
        return lockedRead(key, reader, record);
    }

    private synchronized <R> R lockedRead(
        final KeyRef key, final ValueReader<R> reader, final boolean record)
    {
        final int keyLength = key.length();
        ensureOpen();
        try
        {
            final int position = findForRead(key, record);
            if (position == NOT_FOUND)
            {
                return null;
            }
            final int valueLength = checkedValueLength(position, foundRecordLength, keyLength);
            valueView.bindTo(ring.byteBuffer(), Entries.valueOffset(position, keyLength), valueLength, false);
            final CallbackGuard.Scope scope = guard.enter(CallbackGuard.READER);
            final R result;
            try
            {
                result = reader.read(valueView);
            }
            finally
            {
                guard.exit(scope);
                valueView.unbind();
            }
            guard.afterCallback(scope);
            return result;
        }
        finally
        {
            endWrite();
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
    public int compute(
        final KeyRef key, final Remapper remapper, final long ttlMillis)
    {
        guard.checkCaller();
        return lockedCompute(key, remapper, ttlMillis);
    }

    private synchronized int lockedCompute(
        final KeyRef key, final Remapper remapper, final long ttlMillis)
    {
        ensureOpen();
        try
        {
            final int keyLength = key.length();
            final int slot = findLive(key);
            final int position = foundPosition;
            final Object result;
            if (slot != NOT_FOUND)
            {
                valueView.bindTo(ring.byteBuffer(), Entries.valueOffset(position, keyLength),
                    checkedValueLength(position, foundRecordLength, keyLength), false);
            }
            final CallbackGuard.Scope scope = guard.enter(CallbackGuard.REMAPPER);
            try
            {
                result = remapper.remap(slot == NOT_FOUND ? null : valueView);
            }
            finally
            {
                guard.exit(scope);
                valueView.unbind();
            }
            guard.afterCallback(scope);
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
            if (!accepts(keyLength, valueLength))
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
            append(key, result, 0, valueLength, expireAt);
            puts++;
            return 1;
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * Copies the keys of the live, unexpired entries, oldest first, for weakly consistent iteration.
     */
    public void snapshotKeys(final List<byte[]> keys)
    {
        guard.checkCaller();
        try
        {
            lockedSnapshotKeys(keys);
        }
        finally
        {
            guard.endOperation(); // a Ticker may have closed the cache
        }
    }

    private synchronized void lockedSnapshotKeys(final List<byte[]> keys)
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
    public byte[] peekEntry(
        final KeyRef key, final long[] ttlOut)
    {
        guard.checkCaller();
        return lockedPeekEntry(key, ttlOut);
    }

    private synchronized byte[] lockedPeekEntry(
        final KeyRef key, final long[] ttlOut)
    {
        final int keyLength = key.length();
        ensureOpen();
        try
        {
            if (findLive(key) == NOT_FOUND)
            {
                return null;
            }
            final byte[] value = new byte[checkedValueLength(foundPosition, foundRecordLength, keyLength)];
            ring.getBytes(Entries.valueOffset(foundPosition, keyLength), value, 0, value.length);
            ttlOut[0] = foundExpireAt == 0 ? Long.MAX_VALUE : foundExpireAt - clock.millis();
            return value;
        }
        finally
        {
            endWrite();
        }
    }

    /** Writes a value into a live record that has room for it; a codec failure removes the entry. */
    private void overwriteInPlace(
        final int slot, final int position, final int keyLength,
        final Object value, final int valueOffset, final int valueLength, final long expireAt)
    {
        beginWrite();
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
        markAccessedLocked(slot);
    }

    /** Writes a value from a {@code byte[]}, a {@link DirectBuffer} or a {@link ValueEncoder}. */
    private void writeValue(final int at, final Object value, final int valueOffset, final int valueLength)
    {
        if (value instanceof ValueEncoder)
        {
            valueView.bindTo(ring.byteBuffer(), at, valueLength, true);
            final CallbackGuard.Scope scope = guard.enter(CallbackGuard.ENCODER);
            try
            {
                ((ValueEncoder)value).encode(valueView, 0);
            }
            finally
            {
                guard.exit(scope);
                valueView.unbind();
            }
            guard.afterCallback(scope);
        }
        else
        {
            Keys.write(ring, at, value, valueOffset, valueLength);
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
        final CallbackGuard.Scope scope = guard.enter(CallbackGuard.LISTENER);
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
            guard.exit(scope);
            keyView.unbind();
            valueView.unbind();
        }
        guard.afterCallback(scope);
    }

    // ------------------------------------------------------------------------------------------
    // Optimistic reads: no lock, no shared writes; see the class comment.
    // ------------------------------------------------------------------------------------------

    private static int outcome(final boolean counted, final boolean hit)
    {
        return !counted ? ReadGate.EXIT : hit ? ReadGate.HIT : ReadGate.MISS;
    }

    /**
     * Lets an optimistic read that failed out of the gate; a Ticker that closed the cache fails the
     * read, and the memory is freed here, once the reader is out.
     */
    private void leaveGate(final int stripe)
    {
        gate.exit(stripe, ReadGate.EXIT);
        guard.endOperation();
    }

    /**
     * @param dst null to only look the key up
     * @return the value length (copied into {@code dst} when it fits), -1 when absent, or
     *     {@link #RETRY} when the read must take the lock
     */
    private int tryGet(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        final int keyLength = key.length();
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++)
        {
            final long stamp = (long)VERSION.getAcquire(this);
            if ((stamp & 1) != 0)
            {
                return RETRY;
            }
            final long found = locate(key);
            if (found == RETRY)
            {
                continue;
            }
            int valueLength = -1;
            if (found != NOT_FOUND)
            {
                valueLength = valueLengthAt((int)found, keyLength);
                if (valueLength < 0)
                {
                    continue;
                }
                if (valueLength <= dstCapacity)
                {
                    Keys.copyOut(ring, Entries.valueOffset((int)found, keyLength), dst, dstOffset, valueLength);
                }
            }
            if (!validate(stamp))
            {
                continue;
            }
            if (found != NOT_FOUND && record)
            {
                markAccessed((int)(found >>> 32), (int)found);
            }
            return valueLength;
        }
        return RETRY;
    }

    /** @return a copy of the value, null when absent, or {@link #RETRY_VALUE} when the read must take the lock */
    private byte[] tryGet(
        final KeyRef key, final boolean record)
    {
        final int keyLength = key.length();
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++)
        {
            final long stamp = (long)VERSION.getAcquire(this);
            if ((stamp & 1) != 0)
            {
                return RETRY_VALUE;
            }
            final long found = locate(key);
            if (found == RETRY)
            {
                continue;
            }
            byte[] value = null;
            if (found != NOT_FOUND)
            {
                final int valueLength = valueLengthAt((int)found, keyLength);
                if (valueLength < 0)
                {
                    continue;
                }
                value = new byte[valueLength];
                ring.getBytes(Entries.valueOffset((int)found, keyLength), value, 0, valueLength);
            }
            if (!validate(stamp))
            {
                continue;
            }
            if (found != NOT_FOUND && record)
            {
                markAccessed((int)(found >>> 32), (int)found);
            }
            return value;
        }
        return RETRY_VALUE;
    }

    /** @return true when no writer has changed the segment since {@code stamp} was read */
    private boolean validate(final long stamp)
    {
        VarHandle.acquireFence();
        return (long)VERSION.getOpaque(this) == stamp;
    }

    /**
     * The lock-free probe: reads only, writes no field, and never trusts what it reads: an offset
     * or length that does not fit the ring means a writer is at work, and the answer is RETRY.
     *
     * @return {@code slot << 32 | position} of a live, unexpired match; {@link #NOT_FOUND}; or
     *     {@link #RETRY} (an expired match also retries, so that the locked path removes it)
     */
    private long locate(final KeyRef key)
    {
        final int keyLength = key.length();
        final int tag = key.tag();
        final int wanted = tag & IndexDescriptor.TAG_MASK;
        int slot = IndexDescriptor.home(tag, slots);
        for (int distance = 0; distance <= probeLimit; distance++)
        {
            final long value = index.getLong(slot * SLOT_LENGTH);
            if (value == EMPTY || IndexDescriptor.displacement(value, slot, slots) < distance)
            {
                return NOT_FOUND;
            }
            if (IndexDescriptor.tag(value) == wanted)
            {
                final long position = IndexDescriptor.position(value);
                if (position < 0 || position > ringSize - HEADER_LENGTH)
                {
                    return RETRY;
                }
                final int at = (int)position;
                final long expiryKeyLength = Entries.expiryKeyLengthWord(ring, at);
                if (Entries.keyLengthOf(expiryKeyLength) == keyLength)
                {
                    final int recordLength = Entries.recordLength(Entries.recordWord(ring, at));
                    if (recordLength < HEADER_LENGTH + keyLength || recordLength > ringSize - at)
                    {
                        return RETRY;
                    }
                    if (key.matches(ring, Entries.keyOffset(at)))
                    {
                        final long expireAt = Entries.expireAtOf(expiryKeyLength);
                        if (expireAt != 0 && expireAt <= clock.millis())
                        {
                            return RETRY;
                        }
                        return (long)slot << 32 | at;
                    }
                }
            }
            slot = next(slot);
        }
        return NOT_FOUND;
    }

    /**
     * @return the value length of the record {@link #locate} found, or -1 when it does not fit its
     *     record or the record is longer than any the segment accepts (torn: a writer is at work)
     */
    private int valueLengthAt(final int position, final int keyLength)
    {
        final int recordLength = Entries.recordLength(Entries.recordWord(ring, position));
        final int valueLength = Entries.valueLength(ring, position);
        if (recordLength > maxRecordLength || recordLength > ringSize - position || valueLength < 0 ||
            valueLength > Entries.valueCapacity(recordLength, keyLength))
        {
            return -1;
        }
        return valueLength;
    }

    /**
     * Sets R and the current epoch on the slot of a validated hit, when they change. The CAS
     * expects the slot value just read, and that value must still point at the record the reader
     * validated, so the write lands only on that record's slot; a slot changed since is left alone.
     */
    private void markAccessed(final int slot, final int position)
    {
        final int offset = slot * SLOT_LENGTH;
        final long value = index.getLong(offset);
        if (value == EMPTY || IndexDescriptor.position(value) != position)
        {
            return;
        }
        final long marked = IndexDescriptor.referenced(value, epoch);
        if (marked != value)
        {
            index.compareAndSetLong(offset, value, marked);
        }
    }

    /** Sets R and the current epoch on a slot, under the lock. */
    private void markAccessedLocked(final int slot)
    {
        final int offset = slot * SLOT_LENGTH;
        final long value = index.getLong(offset);
        final long marked = IndexDescriptor.referenced(value, epoch);
        if (marked != value)
        {
            // a CAS, not a put: a lock-free reader may be marking the same slot
            index.compareAndSetLong(offset, value, marked);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Writes: the seqlock
    // ------------------------------------------------------------------------------------------

    /** Makes the version odd before the first change of a locked call; idempotent. */
    private void beginWrite()
    {
        if (!writing)
        {
            writing = true;
            VERSION.setOpaque(this, (long)VERSION.getOpaque(this) + 1);
            VarHandle.storeStoreFence();
        }
    }

    /**
     * Makes the version even again, publishing the changes; called when a locked call ends. Last,
     * frees the cache's memory if a callback of this call closed the cache (see {@link CallbackGuard}).
     */
    private void endWrite()
    {
        if (writing)
        {
            writing = false;
            VERSION.setRelease(this, (long)VERSION.getOpaque(this) + 1);
        }
        guard.endOperation();
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
        final KeyRef key, final boolean record)
    {
        final int slot = findLive(key);
        if (slot == NOT_FOUND)
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
            markAccessedLocked(slot);
        }
        return foundPosition;
    }

    /**
     * Finds the index slot of a live entry, leaving its record position in {@link #foundPosition}.
     * An expired entry met on the way is removed and counted.
     *
     * @return the slot, or {@link #NOT_FOUND}
     */
    private int findLive(final KeyRef key)
    {
        final int slot = find(key);
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

    private int find(final KeyRef key)
    {
        final int keyLength = key.length();
        final int tag = key.tag();
        final int wanted = tag & IndexDescriptor.TAG_MASK;
        int slot = IndexDescriptor.home(tag, slots);
        for (int distance = 0; distance <= probeLimit; distance++)
        {
            final long value = index.getLong(slot * SLOT_LENGTH);
            if (value == EMPTY || IndexDescriptor.displacement(value, slot, slots) < distance)
            {
                return NOT_FOUND;
            }
            if (IndexDescriptor.tag(value) == wanted)
            {
                final int position = checkedPosition(value);
                final long expiryKeyLength = Entries.expiryKeyLengthWord(ring, position);
                if (Entries.keyLengthOf(expiryKeyLength) == keyLength)
                {
                    final int recordLength = checkRecord(position, HEADER_LENGTH + keyLength);
                    if (key.matches(ring, Entries.keyOffset(position)))
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
        return NOT_FOUND;
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
        for (int distance = 0; distance <= probeLimit; distance++)
        {
            final long value = index.getLong(slot * SLOT_LENGTH);
            if (IndexDescriptor.sameRecord(value, wanted))
            {
                return slot;
            }
            if (value == EMPTY)
            {
                break;
            }
            slot = next(slot);
        }
        throw corrupted("the index has no slot for a live record", position);
    }

    /**
     * Robin Hood insertion (see {@link IndexDescriptor}): walks from the home slot carrying the new
     * slot value, and swaps it with any entry less displaced than the carried one. When the carried
     * entry reaches {@link #probeLimit} on an occupied slot, that slot's entry is displaced by as
     * much (so it has the same home) and is evicted to make room: the one case where the index,
     * rather than the ring, decides an eviction. Random hashes never get there (see the class
     * comment of IndexDescriptor); colliding keys do, and then evict one another.
     */
    private void insertSlot(final int tag, final int position)
    {
        long carried = IndexDescriptor.unreferenced(IndexDescriptor.referenced(IndexDescriptor.slot(tag, position), epoch));
        int slot = IndexDescriptor.home(tag, slots);
        for (int distance = 0; ; distance++)
        {
            final int offset = slot * SLOT_LENGTH;
            final long value = index.getLong(offset);
            if (value == EMPTY)
            {
                index.putLong(offset, carried);
                return;
            }
            final int displacement = IndexDescriptor.displacement(value, slot, slots);
            if (displacement < distance)
            {
                index.putLong(offset, carried);
                carried = value;
                distance = displacement;
            }
            else if (distance >= probeLimit)
            {
                index.putLong(offset, carried);
                evictDisplaced(value);
                return;
            }
            slot = next(slot);
        }
    }

    /** Evicts the entry whose slot value {@code value} an insertion at the probe limit has just overwritten. */
    private void evictDisplaced(final long value)
    {
        final int position = checkedPosition(value);
        checkRecord(position, HEADER_LENGTH + Entries.keyLength(ring, position));
        notifyRemoval(position, RemovalCause.EVICTED);
        Entries.markDeleted(ring, position);
        live--;
        evictions++;
        collisionEvictions++;
    }

    /** Robin Hood deletion: shifts the displaced entries after {@code slot} back by one; no tombstones. */
    private void deleteSlot(final int slot)
    {
        int hole = slot;
        int current = next(slot);
        for (int shifted = 0; ; shifted++)
        {
            final long value = index.getLong(current * SLOT_LENGTH);
            if (value == EMPTY || IndexDescriptor.displacement(value, current, slots) == 0)
            {
                break;
            }
            if (shifted == slots)
            {
                throw corrupted("the index has no empty slot", current);
            }
            index.putLong(hole * SLOT_LENGTH, value);
            hole = current;
            current = next(current);
        }
        index.putLong(hole * SLOT_LENGTH, EMPTY);
    }

    // ------------------------------------------------------------------------------------------
    // Records
    // ------------------------------------------------------------------------------------------

    /** Removes a live entry from the index and marks its record deleted. */
    private void unlink(final int slot, final int position)
    {
        beginWrite();
        deleteSlot(slot);
        Entries.markDeleted(ring, position);
        live--;
    }

    private void append(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long expireAt)
    {
        final int recordLength = (int)EntryDescriptor.recordLength(key.length(), valueLength);
        final int keyLength = key.length();
        final int tag = key.tag();
        beginWrite();
        consecutiveMoves = 0;
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
        Entries.writeHeader(ring, position, recordLength, tag, expireAt, keyLength, valueLength);
        key.writeTo(ring, Entries.keyOffset(position));
        writeValue(Entries.valueOffset(position, keyLength), value, valueOffset, valueLength);
        advanceTail(recordLength);
        insertSlot(tag, position);
        live++;
        if (++insertsThisEpoch >= epochLength)
        {
            insertsThisEpoch = 0;
            epoch = (epoch + 1) & (IndexDescriptor.EPOCHS - 1);
            // the entries the segment holds when full, estimated from the mean record size so far
            // (so epochs keep their length while the segment fills)
            final long holds = Math.min(maxEntries, (long)live * ringSize / Math.max(used, 1));
            epochLength = (int)Math.max(1, holds / EPOCHS_PER_TURNOVER);
        }
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
            reclaimHead(recordLength);
            return;
        }
        checkRecord(position, HEADER_LENGTH + Entries.keyLength(ring, position));
        final int tag = Entries.tag(ring, position);
        final long expireAt = Entries.expireAt(ring, position);
        final boolean expired = expireAt != 0 && expireAt <= clock.millis();
        final int slot = slotOf(tag, position);
        final long slotValue = index.getLong(slot * SLOT_LENGTH);
        if (!expired && consecutiveMoves < live && IndexDescriptor.isReferenced(slotValue) &&
            ((epoch - IndexDescriptor.epoch(slotValue)) & (IndexDescriptor.EPOCHS - 1)) < KEEP_AGE)
        {
            consecutiveMoves++;
            moves++;
            moveHeadToTail(slot, position, recordLength);
            return;
        }
        notifyRemoval(position, expired ? RemovalCause.EXPIRED : RemovalCause.EVICTED);
        deleteSlot(slot);
        live--;
        if (expired)
        {
            expirations++;
        }
        else
        {
            evictions++;
        }
        reclaimHead(recordLength);
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
     * Second chance: R is cleared and the head record becomes the newest. When the ring is full the
     * record stays where it is and head and tail step over it; otherwise it is copied to the tail
     * (the ranges may overlap; the destination is always below the source, so the copy is safe).
     */
    private void moveHeadToTail(final int slot, final int position, final int recordLength)
    {
        final int offset = slot * SLOT_LENGTH;
        final long slotValue = IndexDescriptor.unreferenced(index.getLong(offset));
        if (used == ringSize)
        {
            index.putLong(offset, slotValue);
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
        index.putLong(offset, IndexDescriptor.moved(slotValue, destination));
        head = position + recordLength == ringSize ? 0 : position + recordLength;
        tail = destination + recordLength == ringSize ? 0 : destination + recordLength;
    }

    // ------------------------------------------------------------------------------------------
    // Checks
    // ------------------------------------------------------------------------------------------

    private void ensureOpen()
    {
        if (guard.isClosed())
        {
            throw new IllegalStateException("cache is closed");
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
        if (recordLength > maxRecordLength)
        {
            throw corrupted("record length " + recordLength + " exceeds the largest record, " + maxRecordLength,
                position);
        }
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
            final long value = index.getLong(slot * SLOT_LENGTH);
            if (value == EMPTY)
            {
                continue;
            }
            indexed++;
            final int displacement = IndexDescriptor.displacement(value, slot, slots);
            final long following = index.getLong(next(slot) * SLOT_LENGTH);
            if (displacement > probeLimit || following != EMPTY &&
                IndexDescriptor.displacement(following, next(slot), slots) > displacement + 1)
            {
                throw new IllegalStateException("index breaks the Robin Hood order at slot " + slot +
                    ": displacement=" + displacement + ", probeLimit=" + probeLimit);
            }
        }
        if (liveRecords != live || indexed != live)
        {
            throw new IllegalStateException("counters disagree: live=" + live + ", liveRecords=" + liveRecords +
                ", indexed=" + indexed);
        }
        if ((long)VERSION.getOpaque(this) % 2 != 0)
        {
            throw new IllegalStateException("version is odd outside a write: " + (long)VERSION.getOpaque(this));
        }
    }
}
