package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The read protocol of a segment: plain reads ({@code get}, {@code peek}, {@code contains}) take
 * no lock; a seqlock tells them whether a writer got in the way. {@link Segment} extends this class
 * so that the version is a field of the segment itself, one load away from a reader.
 *
 * <h2>Concurrency</h2>
 * A writer makes the {@code version} odd before its first change to the ring or index
 * ({@link #beginWrite()}) and even again when its locked call ends ({@link #endWrite()}, in a
 * {@code finally}, so a failing codec cannot leave it odd). A reader reads the version (acquire),
 * probes the index and copies the value, then checks (after an acquire fence) that the version has
 * not moved. If it moved, the reader tries once more, then takes the lock; an odd version sends it
 * to the lock at once, so readers never spin behind a writer that runs a slow listener or codec.
 * Torn data never escapes: every offset a reader derives is checked against the ring before use
 * ({@link SlotIndex#locate}, {@link Ring#valueLengthIfSound}), and nothing it read is returned
 * unless the version check passes. A validated hit marks its slot with one compare-and-set, only
 * when the mark changes ({@link SlotIndex#markAccessed}), so a read of a hot entry writes nothing.
 *
 * <h2>The gate</h2>
 * Readers pass the cache's {@link ReadGate}, which counts their hits and misses in per-thread
 * stripes and which {@code close()} shuts and drains before the memory is freed. {@link #read} is
 * the one place that enters it: enter, try, exit (counting the outcome), or fall back to the lock
 * ({@link #lockedRead}). A ticker that closes the cache during a lock-free read ends it with an
 * exception; the reader leaves the gate first, then frees the memory ({@link CallbackGuard#endOperation}).
 *
 * <h2>Results</h2>
 * One read serves the three callers: with a destination it copies the value when it fits and
 * returns its length; with {@link #ALLOCATE} it copies into a new array left in {@link KeyRef#copy};
 * with a null destination and no room it only looks the key up.
 */
abstract class OptimisticReads
{
    /** Destination of a read that returns a new array (see {@link KeyRef#takeCopy()}). */
    static final Object ALLOCATE = new Object();
    /**
     * Result of a read that found a large value's head: the head's fields are in the key
     * ({@link KeyRef#headGeneration} and friends), and {@link LargeValues} reads the chunks.
     */
    static final int LARGE = -3;
    /** What the array and reader results are for {@link #LARGE}: compared by identity. */
    static final byte[] LARGE_VALUE = new byte[0];

    /** Optimistic attempts before a read takes the lock. */
    private static final int OPTIMISTIC_ATTEMPTS = 2;
    private static final int RETRY = SlotIndex.RETRY;
    private static final int NOT_FOUND = SlotIndex.NOT_FOUND;
    private static final VarHandle VERSION;

    static
    {
        try
        {
            VERSION = MethodHandles.lookup().findVarHandle(OptimisticReads.class, "version", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final Ring ring;
    final SlotIndex index;
    final Expiry expiry;
    final ReadGate gate;
    final CallbackGuard guard;

    /** Seqlock version: odd while a writer changes the ring or index. See the class comment. */
    @SuppressWarnings("unused") // accessed through VERSION
    private long version;
    /** True between {@link #beginWrite()} and {@link #endWrite()}; lock holder only. */
    private boolean writing;

    OptimisticReads(
        final Ring ring, final SlotIndex index, final Expiry expiry, final ReadGate gate, final CallbackGuard guard)
    {
        this.ring = ring;
        this.index = index;
        this.expiry = expiry;
        this.gate = gate;
        this.guard = guard;
    }

    /**
     * Copies the value into {@code dst} when it fits. Lock-free unless a writer is at work on this
     * segment; {@code dst} may hold scratch bytes when the result is -1 or larger than it.
     *
     * @param dst    a {@code byte[]} or {@code MutableDirectBuffer}
     * @param record false for a peek: no statistics, no access-metadata update
     * @return the value's length, -1 when absent or expired, or {@link #LARGE}
     */
    final int get(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        return read(key, dst, dstOffset, dstCapacity, record);
    }

    /**
     * Lock-free unless a writer is at work on this segment.
     *
     * @param record false for a peek: no statistics, no access-metadata update
     * @return a copy of the value, or null when absent or expired
     */
    final byte[] get(final KeyRef key, final boolean record)
    {
        final int length = read(key, ALLOCATE, 0, Integer.MAX_VALUE, record);
        final byte[] value = key.takeCopy();
        return length == LARGE ? LARGE_VALUE : length < 0 ? null : value;
    }

    /**
     * Lock-free unless a writer is at work on this segment.
     *
     * @return true when a live entry exists (for a large value: its head); no statistics, no
     *     access-metadata update
     */
    final boolean contains(final KeyRef key)
    {
        final int found = read(key, null, 0, -1, false);
        return found >= 0 || found == LARGE;
    }

    /**
     * The one read: lock-free unless a writer is at work on the segment, then under the lock.
     *
     * @param dst    a {@code byte[]} or {@code MutableDirectBuffer} to copy into when the value fits,
     *               {@link #ALLOCATE}, or null to only look the key up
     * @param record false for a peek: no statistics, no access-metadata update; a chunk's read
     *               (its key says so) marks access when true, but never counts
     * @return the value's length, -1 when absent or expired, or {@link #LARGE} (counted by {@link LargeValues})
     */
    final int read(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        final int stripe = gate.enter();
        if (stripe >= 0)
        {
            final int result;
            try
            {
                result = tryRead(key, dst, dstOffset, dstCapacity, record);
            }
            catch (final Throwable ex)
            {
                gate.exit(stripe, ReadGate.EXIT);
                guard.endOperation(); // a Ticker that closed the cache: the memory is freed once we are out
                throw ex;
            }
            gate.exit(stripe, result == RETRY || result == LARGE || !record || key.isChunk() ? ReadGate.EXIT :
                result >= 0 ? ReadGate.HIT : ReadGate.MISS);
            if (result != RETRY)
            {
                return result;
            }
        }
        return lockedRead(key, dst, dstOffset, dstCapacity, record);
    }

    /** {@link #read} under the segment lock; implementations count hits and misses when {@code record}. */
    abstract int lockedRead(KeyRef key, Object dst, int dstOffset, int dstCapacity, boolean record);

    /** @return the access epoch a hit stamps on its slot ({@link EvictionPolicy#epoch()}) */
    abstract int epoch();

    /**
     * A hit, which changed its slot's mark or not: the eviction policy may count it
     * ({@link AdaptivePolicy#noteRead}).
     */
    abstract void noteRead(int tag, boolean markChanged);

    /** Copies a value found by a read to its destination (see {@link #read}). */
    final void copyValue(
        final KeyRef key, final int offset, final int length, final Object dst, final int dstOffset,
        final int dstCapacity)
    {
        if (dst == ALLOCATE)
        {
            key.copy = ring.copy(offset, length);
        }
        else if (length <= dstCapacity)
        {
            ring.copyTo(offset, dst, dstOffset, length);
        }
    }

    /**
     * Leaves the fields of the head value at {@code offset} in the key; a lock-free reader checks
     * the version before it trusts them.
     */
    final void readHead(final KeyRef key, final int offset)
    {
        final Memory memory = ring.memory();
        key.headGeneration = memory.getLong(offset + LargeValueDescriptor.GENERATION_OFFSET);
        key.headValueLength = memory.getInt(offset + LargeValueDescriptor.VALUE_LENGTH_OFFSET);
        key.headChunkLength = memory.getInt(offset + LargeValueDescriptor.CHUNK_LENGTH_OFFSET);
        key.headCheck = memory.getInt(offset + LargeValueDescriptor.CHECK_OFFSET);
    }

    /**
     * @return the value length, -1 when absent, {@link #LARGE}, or {@link SlotIndex#RETRY} when the
     *     read must take the lock
     */
    private int tryRead(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++)
        {
            final long stamp = (long)VERSION.getAcquire(this);
            if ((stamp & 1) != 0)
            {
                return RETRY;
            }
            final long found = index.locate(key, expiry);
            if (found == RETRY)
            {
                continue;
            }
            int valueLength = -1;
            if (found != NOT_FOUND)
            {
                final int position = (int)found;
                valueLength = ring.valueLengthIfSound(position, key.length());
                if (valueLength < 0)
                {
                    continue;
                }
                final int valueOffset = Entries.valueOffset(position, key.length());
                if (Entries.isHead(Entries.recordWord(ring.memory(), position)))
                {
                    if (valueLength != LargeValueDescriptor.LENGTH)
                    {
                        continue;
                    }
                    readHead(key, valueOffset);
                    valueLength = LARGE;
                }
                else
                {
                    copyValue(key, valueOffset, valueLength, dst, dstOffset, dstCapacity);
                }
            }
            if (!validate(stamp))
            {
                continue;
            }
            if (found != NOT_FOUND && record)
            {
                noteRead(key.tag(), index.markAccessed((int)(found >>> 32), (int)found, epoch()));
            }
            return valueLength;
        }
        return RETRY;
    }

    /** @return true when no writer has changed the segment since {@code stamp} was read */
    private boolean validate(final long stamp)
    {
        VarHandle.acquireFence();
        return (long)VERSION.getOpaque(this) == stamp;
    }

    // ------------------------------------------------------------------------------------------
    // Writers
    // ------------------------------------------------------------------------------------------

    /** Makes the version odd before the first change of a locked call; idempotent. */
    final void beginWrite()
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
    final void endWrite()
    {
        if (writing)
        {
            writing = false;
            VERSION.setRelease(this, (long)VERSION.getOpaque(this) + 1);
        }
        guard.endOperation();
    }

    /** The first step of every locked call. */
    final void ensureOpen()
    {
        if (guard.isClosed())
        {
            throw new IllegalStateException("cache is closed");
        }
    }

    /** @throws IllegalStateException when the version is odd outside a write */
    final void verifyVersion()
    {
        final long current = (long)VERSION.getOpaque(this);
        if (current % 2 != 0)
        {
            throw new IllegalStateException("version is odd outside a write: " + current);
        }
    }
}
