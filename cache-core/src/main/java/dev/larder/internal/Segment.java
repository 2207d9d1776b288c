package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;
import static dev.larder.internal.SlotIndex.NOT_FOUND;

import dev.larder.RemovalCause;
import dev.larder.RemovalListener;
import dev.larder.ValueReader;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * One lock stripe of the cache. It holds the lock, the counters and the live count, and composes
 * the parts that do the work, each described in its own class comment: {@link Ring} (the records
 * and the checks on every offset read from them), {@link SlotIndex} (the Robin Hood index),
 * {@link EvictionPolicy} (second chance with an age limit), {@link Expiry} (the clock),
 * {@link Callbacks} (user code against views of a record) and {@link OptimisticReads}, which this
 * class extends (the lock-free read protocol, so that the seqlock version is a field of the
 * segment itself).
 *
 * <h2>Concurrency</h2>
 * Writes, and reads that run user code, are {@code synchronized} on the segment; plain reads are
 * lock-free ({@link OptimisticReads}). Every locked call starts with {@code ensureOpen()} and ends
 * with {@link #endWrite()} in a {@code finally}. {@link #close()} takes the lock, so no locked call
 * is inside when the cache frees the memory.
 *
 * <h2>Callbacks</h2>
 * The cache's {@link CallbackGuard} refuses calls into the cache from its callbacks, always before
 * a lock is taken: the keyed methods expect their caller to have checked before filling the
 * {@link KeyRef}, the others check themselves. So a callback that calls any segment gets an
 * {@link IllegalStateException}, never a deadlock or a segment changed under the running operation.
 * A callback that closes the cache ends the operation with an {@link IllegalStateException}; the
 * memory is freed at its last step ({@link #endWrite()}, or after leaving the gate).
 *
 * <h2>Eviction and expiry</h2>
 * An append first makes room ({@link #evictHead()}); an expired entry is removed when an operation
 * meets it ({@link #findLive}).
 */
public final class Segment extends OptimisticReads
{
    /** What {@link #compute} returns when the key holds a large value, which compute does not take. */
    public static final int COMPUTE_REFUSED_LARGE = -2;

    private final Callbacks callbacks;
    private final EvictionPolicy policy;
    /** The policy when it is adaptive, else null. */
    private final AdaptivePolicy adaptive;
    /** The adaptive policy's read-path thresholds ({@link AdaptiveShared#thresholds()}), else null. */
    private final long[] readThresholds;
    /**
     * The counters, by {@link SegmentStat} ordinal (collision evictions count as evictions too);
     * the cells of the gauges (entries, ring bytes used, listener failures) are filled when read.
     */
    private final long[] counts;
    /** Live records: entries and chunks of large values. */
    private int live;
    /** Live chunk records, which are not entries. */
    private int liveChunks;

    /** A segment of its own, with no listener, for tests. */
    Segment(final Memory ring, final Memory index, final MillisClock clock)
    {
        this(ring, index, clock, null, new ReadGate(1), new CallbackGuard());
    }

    /**
     * @param ring     the ring buffer; its capacity a multiple of {@link EntryDescriptor#ALIGNMENT}
     * @param index    the index; zero-filled, its capacity a multiple of {@link IndexDescriptor#SLOT_LENGTH}
     * @param clock    milliseconds since the cache's epoch
     * @param listener told of every removal, or null
     * @param gate     the cache's gate for lock-free readers, shared by its segments
     * @param guard    the cache's callback guard and closed state, shared by its segments
     */
    public Segment(
        final Memory ring, final Memory index, final MillisClock clock, final RemovalListener listener,
        final ReadGate gate, final CallbackGuard guard)
    {
        this(ring, index, clock, listener, gate, guard, null);
    }

    /**
     * A segment of a cache.
     *
     * @param adaptive the cache's shared state of the {@link AdaptivePolicy}, or null for second
     *                 chance ({@link EvictionPolicy}) in one ring
     */
    public Segment(
        final Memory ring, final Memory index, final MillisClock clock, final RemovalListener listener,
        final ReadGate gate, final CallbackGuard guard, final AdaptiveShared adaptive)
    {
        // the objects every write changes first (this segment, its index, its counters), the ring's
        // page tables after them: put between, they cost two threads a tenth of their puts
        // (docs/benchmarks.md, "The adaptive policy's cost")
        this(new SlotIndex(index), new long[SegmentStat.values().length], ring, clock, listener, gate, guard,
            adaptive);
    }

    private Segment(
        final SlotIndex index, final long[] counts, final Memory ring, final MillisClock clock,
        final RemovalListener listener, final ReadGate gate, final CallbackGuard guard, final AdaptiveShared adaptive)
    {
        this(index, counts, adaptive == null ? new Ring(ring) : new PagedRing(ring), clock, listener, gate, guard,
            adaptive);
    }

    private Segment(
        final SlotIndex index, final long[] counts, final Ring ring, final MillisClock clock,
        final RemovalListener listener, final ReadGate gate, final CallbackGuard guard, final AdaptiveShared adaptive)
    {
        super(ring, index.bind(ring), new Expiry(clock), gate, guard);
        this.counts = counts;
        this.callbacks = new Callbacks(ring, guard, listener);
        if (adaptive == null)
        {
            this.policy = new EvictionPolicy(ring, this.index, expiry, callbacks);
            this.adaptive = null;
            this.readThresholds = null;
        }
        else
        {
            this.adaptive = new AdaptivePolicy((PagedRing)ring, this.index, expiry, callbacks, adaptive, counts);
            this.policy = this.adaptive;
            this.readThresholds = adaptive.thresholds();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Reads. Keyed methods: the caller has checked it is not a callback before filling the key.
    // ------------------------------------------------------------------------------------------

    @Override
    int epoch()
    {
        return policy.epoch();
    }

    @Override
    void noteRead(final int tag, final boolean markChanged)
    {
        // tested here, on the segment's own field, so that most hits never read the policy's object
        final long[] thresholds = readThresholds;
        if (thresholds != null && AdaptivePolicy.wantsRead(thresholds, markChanged))
        {
            adaptive.noteRead(tag, markChanged);
        }
    }

    @Override
    synchronized int lockedRead(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        ensureOpen();
        try
        {
            final int valueLength = findForRead(key, record);
            if (valueLength >= 0)
            {
                copyValue(key, index.foundValueOffset(key), valueLength, dst, dstOffset, dstCapacity);
            }
            return valueLength;
        }
        finally
        {
            end(key);
        }
    }

    /**
     * Hands a read-only view of the value to {@code reader}, under the lock.
     *
     * @param record false for a peek: no statistics, no access-metadata update
     * @return what the reader returned, null when absent or expired (the reader is not called), or
     *     {@link #LARGE_VALUE} for a large value's head (its fields in the key)
     */
    @SuppressWarnings("unchecked")
    synchronized <R> R read(final KeyRef key, final ValueReader<R> reader, final boolean record)
    {
        ensureOpen();
        try
        {
            final int valueLength = findForRead(key, record);
            if (valueLength == LARGE)
            {
                return (R)(Object)LARGE_VALUE;
            }
            return valueLength < 0 ? null : callbacks.read(reader, index.foundValueOffset(key), valueLength);
        }
        finally
        {
            end(key);
        }
    }

    /** Counts the hit or miss of a large value's read, which {@link LargeValues} decides after the chunks. */
    synchronized void countRead(final boolean hit)
    {
        ensureOpen();
        try
        {
            count(hit ? SegmentStat.HITS : SegmentStat.MISSES);
        }
        finally
        {
            endWrite();
        }
    }

    /**
     * A peek that also reports the remaining time to live.
     *
     * @param ttlOut receives the remaining ms, or {@link Long#MAX_VALUE} for no expiry, at index 0
     * @return a copy of the value, or null when absent or expired
     */
    synchronized byte[] peekEntry(final KeyRef key, final long[] ttlOut)
    {
        ensureOpen();
        try
        {
            final int valueLength = findForRead(key, false);
            if (valueLength == LARGE || valueLength < 0)
            {
                ttlOut[0] = valueLength == LARGE ? expiry.remaining(index.foundExpireAt()) : 0;
                return valueLength == LARGE ? LARGE_VALUE : null;
            }
            ttlOut[0] = expiry.remaining(index.foundExpireAt());
            return ring.copy(index.foundValueOffset(key), valueLength);
        }
        finally
        {
            end(key);
        }
    }

    /**
     * @return the remaining time to live in ms, {@link Long#MAX_VALUE} for no expiry, -1 when absent
     */
    public synchronized long ttlMillis(final KeyRef key)
    {
        ensureOpen();
        try
        {
            return findLive(key) == NOT_FOUND ? -1 : expiry.remaining(index.foundExpireAt());
        }
        finally
        {
            end(key);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Writes
    // ------------------------------------------------------------------------------------------

    /**
     * @param value     a {@code byte[]}, a {@code DirectBuffer} or a {@link ValueEncoder}
     * @param ttlMillis time to live, or 0 for no expiry
     * @param mode      what to do about a live entry
     * @return true when the value was stored; false when the mode forbade it or the entry is too
     *     large (counted as a rejection; nothing changes)
     */
    public boolean put(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long ttlMillis,
        final PutMode mode)
    {
        return put(key, value, valueOffset, valueLength, ttlMillis, mode, 0);
    }

    /**
     * Stores the head of a large value ({@link LargeValueDescriptor}) whose chunks are written; see
     * {@link #put}.
     */
    boolean putHead(final KeyRef key, final byte[] head, final long ttlMillis, final PutMode mode)
    {
        return put(key, head, 0, head.length, ttlMillis, mode, EntryDescriptor.FLAG_HEAD);
    }

    /** @param kind 0, or {@link EntryDescriptor#FLAG_HEAD} */
    private synchronized boolean put(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long ttlMillis,
        final PutMode mode, final int kind)
    {
        ensureOpen();
        try
        {
            if (!accepts(key.length(), valueLength))
            {
                count(SegmentStat.REJECTIONS);
                return false;
            }
            final int slot = findLive(key);
            if (!mode.appliesTo(slot != NOT_FOUND))
            {
                return false;
            }
            store(key, slot, value, valueOffset, valueLength, expiry.expireAt(ttlMillis), kind);
            return true;
        }
        finally
        {
            end(key);
        }
    }

    /**
     * Appends a chunk of a large value under its derived key (see {@link LargeValues}); nothing is
     * counted but the bytes it takes.
     *
     * @return false when the chunk id is already taken (which a fresh generation makes impossible)
     */
    synchronized boolean putChunk(final KeyRef chunkKey, final Object value, final int valueOffset,
        final int valueLength)
    {
        ensureOpen();
        try
        {
            if (index.find(chunkKey) != NOT_FOUND)
            {
                return false;
            }
            append(chunkKey, value, valueOffset, valueLength, 0, 0);
            liveChunks++;
            return true;
        }
        finally
        {
            end(chunkKey);
        }
    }

    /** Removes a chunk of a large value, if it is still there; nothing is counted or heard of. */
    synchronized void removeChunk(final KeyRef chunkKey)
    {
        ensureOpen();
        try
        {
            final int slot = index.find(chunkKey);
            if (slot != NOT_FOUND)
            {
                unlink(slot, index.foundPosition());
            }
        }
        finally
        {
            end(chunkKey);
        }
    }

    /**
     * Removes the head of a large value of which a chunk is missing, if the key still holds that
     * generation: an eviction, heard of and counted as one.
     *
     * @return true when removed; false when the key holds something else now (a read should retry)
     */
    boolean removeBrokenHead(final KeyRef key, final long generation)
    {
        return removeBrokenHead(key, generation, false);
    }

    /**
     * As {@link #removeBrokenHead(KeyRef, long)}; with {@code refused}, for a snapshot's value of
     * which a chunk was refused by this cache ({@link LargeValueRestore}), counted as a rejection
     * rather than an eviction (the listener hears of an eviction either way).
     */
    synchronized boolean removeBrokenHead(final KeyRef key, final long generation, final boolean refused)
    {
        ensureOpen();
        try
        {
            final int slot = findLive(key);
            final int position = index.foundPosition();
            if (slot == NOT_FOUND || !Entries.isHead(Entries.recordWord(ring.memory(), position)) ||
                index.foundValueLength(key) != LargeValueDescriptor.LENGTH)
            {
                return false;
            }
            readHead(key, index.foundValueOffset(key));
            if (key.headGeneration != generation)
            {
                return false;
            }
            removeEntry(slot, position, RemovalCause.EVICTED);
            count(refused ? SegmentStat.REJECTIONS : SegmentStat.EVICTIONS);
            return true;
        }
        finally
        {
            end(key);
        }
    }

    /**
     * Atomic update: {@code remapper} sees the current value (or null) under the lock and returns
     * {@link Remapper#KEEP}, null (remove), or a new value (a {@code byte[]} or {@link ValueEncoder}).
     *
     * @param ttlMillis time to live of a new value, or 0 for none
     * @return 1 when the key now has a value, 0 when it has none, -1 when the new value was too
     *     large (rejected and counted, as by {@link #put}; the entry is unchanged), or
     *     {@link #COMPUTE_REFUSED_LARGE} when the current value is a large value (rejected and
     *     counted; {@code remapper} is not called)
     */
    public synchronized int compute(final KeyRef key, final Remapper remapper, final long ttlMillis)
    {
        ensureOpen();
        try
        {
            final int slot = findLive(key);
            final int position = index.foundPosition();
            if (slot != NOT_FOUND && Entries.isHead(Entries.recordWord(ring.memory(), position)))
            {
                count(SegmentStat.REJECTIONS);
                return COMPUTE_REFUSED_LARGE;
            }
            final Object result = slot == NOT_FOUND ? callbacks.remap(remapper, -1, 0) :
                callbacks.remap(remapper, index.foundValueOffset(key), index.foundValueLength(key));
            if (result == Remapper.KEEP)
            {
                return slot == NOT_FOUND ? 0 : 1;
            }
            if (result == null)
            {
                if (slot != NOT_FOUND)
                {
                    removeEntry(slot, position, RemovalCause.EXPLICIT);
                    count(SegmentStat.REMOVALS);
                }
                return 0;
            }
            final int valueLength = result instanceof byte[] ? ((byte[])result).length :
                ((ValueEncoder)result).encodedLength();
            if (!accepts(key.length(), valueLength))
            {
                count(SegmentStat.REJECTIONS);
                return -1;
            }
            store(key, slot, result, 0, valueLength, expiry.expireAt(ttlMillis), 0);
            return 1;
        }
        finally
        {
            end(key);
        }
    }

    /** @return true when a live entry was removed. */
    public synchronized boolean remove(final KeyRef key)
    {
        ensureOpen();
        try
        {
            final int slot = findLive(key);
            if (slot == NOT_FOUND)
            {
                return false;
            }
            removeEntry(slot, index.foundPosition(), RemovalCause.EXPLICIT);
            count(SegmentStat.REMOVALS);
            return true;
        }
        finally
        {
            end(key);
        }
    }

    /**
     * Sets a live entry's time to live, counted from now.
     *
     * @param ttlMillis time to live, or 0 for no expiry
     * @return true when the entry exists
     */
    public synchronized boolean touch(final KeyRef key, final long ttlMillis)
    {
        ensureOpen();
        try
        {
            if (findLive(key) == NOT_FOUND)
            {
                return false;
            }
            beginWrite();
            Entries.setExpireAt(ring.memory(), index.foundPosition(), expiry.expireAt(ttlMillis));
            return true;
        }
        finally
        {
            end(key);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Whole segment: these check their caller themselves
    // ------------------------------------------------------------------------------------------

    /** Removes every entry; statistics are kept. */
    public void clear()
    {
        guard.checkCaller();
        synchronized (this)
        {
            ensureOpen();
            try
            {
                if (callbacks.hasListener())
                {
                    ring.forEachLive(callbacks, (listener, position) ->
                        listener.notifyRemoval(position, RemovalCause.CLEARED));
                }
                beginWrite();
                index.clear();
                ring.clear();
                policy.clear();
                callbacks.dropOrphans();
                live = 0;
                liveChunks = 0;
            }
            finally
            {
                endWrite();
            }
        }
    }

    /** Copies the keys of the live, unexpired entries, oldest first, for weakly consistent iteration. */
    public void snapshotKeys(final List<byte[]> keys)
    {
        guard.checkCaller();
        try
        {
            synchronized (this)
            {
                ensureOpen();
                ring.copyKeys(keys, expiry.now());
            }
        }
        finally
        {
            guard.endOperation(); // a Ticker may have closed the cache
        }
    }

    /** Adds this segment's counters to {@code totals}, in the order of {@link SegmentStat}. */
    public void addStatsTo(final long[] totals)
    {
        guard.checkCaller();
        synchronized (this)
        {
            ensureOpen();
            counts[SegmentStat.ENTRIES.ordinal()] = live - liveChunks;
            counts[SegmentStat.RING_USED.ordinal()] = ring.used();
            counts[SegmentStat.LISTENER_FAILURES.ordinal()] = callbacks.listenerFailures();
            for (int stat = 0; stat < counts.length; stat++)
            {
                totals[stat] += counts[stat];
            }
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

    /** @return true when an entry of this key and value length may be stored: the one size rule of every write */
    public boolean accepts(final int keyLength, final int valueLength)
    {
        return ring.fits(keyLength, valueLength);
    }

    /** @return the largest key + value length this segment accepts. */
    public int maxKeyPlusValue()
    {
        return ring.maxRecordLength() - HEADER_LENGTH;
    }

    /** @return the live chunk records of large values, for tests. */
    public synchronized int liveChunks()
    {
        return liveChunks;
    }

    /** @return the bytes of this segment's ring: also the largest payload a snapshot section of it can have */
    public int ringSize()
    {
        return ring.size();
    }

    /** @return the most live entries the index holds before the segment evicts. */
    public int maxEntries()
    {
        return index.maxEntries();
    }

    // ------------------------------------------------------------------------------------------
    // Snapshots (SnapshotWriter, SnapshotReader)
    // ------------------------------------------------------------------------------------------

    /**
     * Copies the live records unexpired now into {@code section}, oldest first, under the lock and
     * nothing else: the section is written to the file after the lock is released.
     *
     * @return nanoseconds the lock was held
     */
    public long copyLiveRecords(final SnapshotSection section)
    {
        guard.checkCaller();
        try
        {
            synchronized (this)
            {
                final long start = System.nanoTime();
                ensureOpen();
                section.copy(ring, expiry.now());
                return System.nanoTime() - start;
            }
        }
        finally
        {
            guard.endOperation(); // a Ticker may have closed the cache
        }
    }

    /**
     * Stores the head of a large value read from a snapshot, as {@link #putHead} does: under its
     * key, re-hashed by this cache, with the head flag ({@link LargeValueRestore}).
     *
     * @return true when stored; false when too large for this segment (counted as a rejection)
     */
    boolean restoreHead(final KeyRef key, final DirectBuffer head, final int headOffset, final long ttlMillis)
    {
        return put(key, head, headOffset, LargeValueDescriptor.LENGTH, ttlMillis, PutMode.PUT,
            EntryDescriptor.FLAG_HEAD);
    }

    /**
     * Stores a chunk read from a snapshot under its id and check, as {@link #putChunk} does; nothing
     * is counted (a value whose chunk is refused is counted once, by its head: {@link LargeValueRestore}).
     *
     * @return false when the chunk's record is too large for this segment, or its id is taken
     */
    boolean restoreChunk(final KeyRef chunkKey, final DirectBuffer value, final int valueOffset,
        final int valueLength)
    {
        return accepts(chunkKey.length(), valueLength) && putChunk(chunkKey, value, valueOffset, valueLength);
    }

    /** @return true when the chunk of this key (id and check) is live */
    synchronized boolean containsChunk(final KeyRef chunkKey)
    {
        ensureOpen();
        try
        {
            return index.find(chunkKey) != NOT_FOUND;
        }
        finally
        {
            end(chunkKey);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Under the lock
    // ------------------------------------------------------------------------------------------

    /**
     * Finds the index slot of a live entry (its record in {@link SlotIndex#foundPosition()}). An
     * expired entry met on the way is removed and counted.
     *
     * @return the slot, or {@link SlotIndex#NOT_FOUND}
     */
    private int findLive(final KeyRef key)
    {
        final int slot = index.find(key);
        if (slot != NOT_FOUND && expiry.isExpired(index.foundExpireAt()))
        {
            removeEntry(slot, index.foundPosition(), RemovalCause.EXPIRED);
            count(SegmentStat.EXPIRATIONS);
            return NOT_FOUND;
        }
        return slot;
    }

    /**
     * Finds a live entry for a read; with {@code record}, counts a hit (refreshing the entry's
     * access mark) or a miss.
     *
     * @return the value's checked length, -1 when absent, or {@link #LARGE} for a large value's
     *     head (its fields left in the key; not counted: {@link LargeValues} counts the whole read)
     */
    private int findForRead(final KeyRef key, final boolean record)
    {
        final int slot = findLive(key);
        if (record && !key.isChunk() &&
            (slot == NOT_FOUND || !Entries.isHead(Entries.recordWord(ring.memory(), index.foundPosition()))))
        {
            count(slot == NOT_FOUND ? SegmentStat.MISSES : SegmentStat.HITS); // a large value counts when read whole
        }
        if (slot == NOT_FOUND)
        {
            return -1;
        }
        if (record)
        {
            noteRead(key.tag(), index.markAccessedLocked(slot, policy.epoch()));
        }
        final int valueLength = index.foundValueLength(key);
        if (Entries.isHead(Entries.recordWord(ring.memory(), index.foundPosition())))
        {
            if (valueLength != LargeValueDescriptor.LENGTH)
            {
                throw new IllegalStateException("corrupted segment: a large value's head of " + valueLength + " bytes");
            }
            readHead(key, index.foundValueOffset(key));
            return LARGE;
        }
        return valueLength;
    }

    /** Tells the listener, then removes a live entry from the index and marks its record deleted. */
    private void removeEntry(final int slot, final int position, final RemovalCause cause)
    {
        callbacks.notifyRemoval(position, cause);
        unlink(slot, position);
    }

    private void unlink(final int slot, final int position)
    {
        beginWrite();
        index.delete(slot);
        if (Entries.isChunk(Entries.recordWord(ring.memory(), position)))
        {
            liveChunks--;
        }
        ring.markDeleted(position);
        live--;
    }

    /** The last step of a keyed locked call: hands over the chunks to remove, then ends the write. */
    private void end(final KeyRef key)
    {
        callbacks.handOrphansTo(key);
        endWrite();
    }

    /**
     * Stores a value for a key whose live entry, if any, is at {@code slot}: in place when the new
     * value fits its record, otherwise in a new record at the tail.
     */
    private void store(
        final KeyRef key, final int slot, final Object value, final int valueOffset, final int valueLength,
        final long expireAt, final int kind)
    {
        if (slot != NOT_FOUND)
        {
            final int position = index.foundPosition();
            count(SegmentStat.OVERWRITES);
            callbacks.notifyRemoval(position, RemovalCause.REPLACED);
            if (valueLength <= Entries.valueCapacity(index.foundRecordLength(), key.length()))
            {
                overwriteInPlace(slot, position, key.length(), value, valueOffset, valueLength, expireAt);
                Entries.setHead(ring.memory(), position, kind == EntryDescriptor.FLAG_HEAD);
                count(SegmentStat.PUTS);
                return;
            }
            unlink(slot, position);
        }
        append(key, value, valueOffset, valueLength, expireAt, kind);
        count(SegmentStat.PUTS);
    }

    /** Writes a value into a live record that has room for it; a codec failure removes the entry. */
    private void overwriteInPlace(
        final int slot, final int position, final int keyLength,
        final Object value, final int valueOffset, final int valueLength, final long expireAt)
    {
        beginWrite();
        try
        {
            callbacks.writeValue(Entries.valueOffset(position, keyLength), value, valueOffset, valueLength);
        }
        catch (final RuntimeException | Error ex)
        {
            unlink(slot, position);
            throw ex;
        }
        final Memory memory = ring.memory();
        Entries.setValueLength(memory, position, valueLength);
        Entries.setExpireAt(memory, position, expireAt);
        index.markAccessedLocked(slot, policy.epoch());
    }

    /**
     * Appends a new record at the tail, making room first, and indexes it.
     *
     * @param kind 0, or {@link EntryDescriptor#FLAG_HEAD}; a chunk's key makes a chunk record
     */
    private void append(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long expireAt,
        final int kind)
    {
        final int recordLength = (int)EntryDescriptor.recordLength(key.length(), valueLength);
        if (adaptive != null)
        {
            adaptive.touch(key.tag());
        }
        beginWrite();
        policy.beforeAppend();
        while (live >= index.maxEntries() || !policy.hasBudgetFor(recordLength))
        {
            evictHead();
        }
        while (!ring.hasRoomFor(recordLength))
        {
            counted(policy.evictForRoom(live));
        }
        final int position = ring.reserve(recordLength);
        ring.writeRecord(position, recordLength, key, expireAt, valueLength, kind);
        callbacks.writeValue(Entries.valueOffset(position, key.length()), value, valueOffset, valueLength);
        ring.commit(recordLength);
        final long displaced = index.insert(key.tag(), position, policy.epoch());
        if (displaced != IndexDescriptor.EMPTY)
        {
            live--;
            if (policy.evictDisplaced(displaced))
            {
                liveChunks--;
                count(SegmentStat.CHUNK_EVICTIONS);
            }
            else
            {
                count(SegmentStat.EVICTIONS);
                count(SegmentStat.COLLISION_EVICTIONS);
            }
        }
        live++;
        if (adaptive != null)
        {
            adaptive.inserted(key.tag(), key.isChunk());
        }
        policy.afterInsert(live, index.maxEntries(), ring.size(), ring.used());
    }

    /** Makes room at the head (see {@link EvictionPolicy}) and counts what it did. */
    private void evictHead()
    {
        counted(policy.evictHead(live));
    }

    /** Counts what an eviction step did: a move, a removal, or nothing (null). */
    private void counted(final SegmentStat outcome)
    {
        if (outcome != null)
        {
            count(outcome);
            live -= outcome == SegmentStat.MOVES ? 0 : 1;
            liveChunks -= outcome == SegmentStat.CHUNK_EVICTIONS ? 1 : 0;
        }
    }

    private void count(final SegmentStat stat)
    {
        counts[stat.ordinal()]++;
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
        final int[] chunks = new int[1];
        final int liveRecords = ring.forEachLive(index, (slots, position) ->
        {
            slots.slotOf(position);
            chunks[0] += Entries.isChunk(Entries.recordWord(ring.memory(), position)) ? 1 : 0;
        });
        final int indexed = index.verify();
        if (liveRecords != live || indexed != live)
        {
            throw new IllegalStateException("counters disagree: live=" + live + ", liveRecords=" + liveRecords +
                ", indexed=" + indexed);
        }
        if (chunks[0] != liveChunks)
        {
            throw new IllegalStateException("chunk counters disagree: liveChunks=" + liveChunks + ", chunkRecords=" +
                chunks[0]);
        }
        verifyVersion();
    }
}
