package dev.larder.internal;

import static dev.larder.internal.OptimisticReads.ALLOCATE;
import static dev.larder.internal.OptimisticReads.LARGE;
import static dev.larder.internal.OptimisticReads.LARGE_VALUE;

import dev.larder.ValueReader;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Values larger than a segment's records: cut into chunks spread over the segments, with a small
 * head under the user's key (fastcache's SetBig, with the chunks placed round the segments and the
 * head written last). Every keyed operation of the cache passes here, so that a read that meets a
 * head assembles the value and a write that removed heads removes their chunks.
 *
 * <h2>Layout</h2>
 * A value of {@code n} bytes becomes {@code ceil(n / chunkLength)} chunk records (flag C in
 * {@link EntryDescriptor}), chunk {@code i} under the 8-byte id {@code generation + i} in segment
 * {@code (generation + i) mod segments}, and one head record (flag H) under the user's key whose
 * value is a {@link LargeValueDescriptor}. A chunk record is at most a sixteenth of a ring, so a
 * value's chunks take at most half of each segment's ring ({@link #maxValueLength()}), and the
 * padding a chunk may leave at the end of a ring stays small.
 *
 * <h2>Writes</h2>
 * A put writes the chunks first, one segment lock at a time, then the head under the key's
 * segment lock, where the put's mode (put, putIfAbsent, replace) is decided as for any value. A
 * head that is refused, or a write that fails, removes the chunks it wrote. The head it replaced, or
 * any head an operation removes (overwrite, remove, expiry, eviction), is noted under that lock and
 * its chunks are removed by the same thread after the lock is released ({@link #removeOrphans}):
 * no thread ever holds two segment locks. A chunk evicted on its own (ring order) makes its value
 * unreadable: the next read finds it missing, removes the head and reports an eviction.
 *
 * <h2>Reads</h2>
 * A read that meets a head (lock-free or locked, as for any value) gets its generation, length and
 * check, then reads the chunks one by one, each by the ordinary read of its segment, straight into
 * the destination. Chunk ids are never reused and a chunk is never changed, so the chunks found
 * under one generation are the bytes of one value: no read can mix two values. A missing chunk
 * means the value was evicted, unless the key now holds another value (a concurrent write), in which
 * case the read starts again, at most {@link #ATTEMPTS} times.
 *
 * <h2>What is not supported</h2>
 * {@code compute} on a key holding a large value, or producing one, is refused (counted as a
 * rejection): its function runs under the key's segment lock, and the chunks are in other segments.
 * A removal listener hears of a large value with its key and an empty value, for the same reason.
 */
public final class LargeValues
{
    /** Reads of a large value started again after a concurrent write, before the read reports a miss. */
    static final int ATTEMPTS = 8;
    /** A chunk record is at most the largest record divided by this: a sixteenth of a ring. */
    static final int CHUNKS_PER_LARGEST_RECORD = 4;
    /** A value's chunks take at most this fraction of each segment's ring: one half. */
    static final int RING_FRACTION = 2;
    /** Largest value length: the largest Java array, with a margin some JVMs need. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private static final int RETRY = -2;

    private final Segment[] segments;
    private final int mask;
    private final KeyHasher hasher;
    private final CallbackGuard guard;
    private final AtomicLong generations;
    private final int chunkLength;
    private final int maxInline;
    private final long maxEntrySize;

    /**
     * @param segments the cache's segments, all of one size
     * @param hasher   the cache's key hash
     * @param guard    the cache's callback guard, for the codecs and readers that run on copies
     * @param seeded   true when the hash seed is fixed: generations then start at a value derived
     *                 from it, for reproducible tests; otherwise at a random one
     */
    public LargeValues(
        final Segment[] segments, final KeyHasher hasher, final CallbackGuard guard, final boolean seeded)
    {
        this.guard = guard;
        this.segments = segments;
        this.mask = segments.length - 1;
        this.hasher = hasher;
        this.generations = new AtomicLong(seeded ? hasher.hash(0x4C61726765L) : new SecureRandom().nextLong());
        final Segment first = segments[0];
        this.maxInline = first.maxKeyPlusValue();
        final int chunkRecord = (first.maxKeyPlusValue() + EntryDescriptor.HEADER_LENGTH) / CHUNKS_PER_LARGEST_RECORD &
            -EntryDescriptor.ALIGNMENT;
        this.chunkLength = chunkRecord - EntryDescriptor.HEADER_LENGTH - Long.BYTES;
        final long perSegment = (long)(first.ringSize() / RING_FRACTION / chunkRecord) * chunkLength;
        this.maxEntrySize = Math.min(MAX_ARRAY_LENGTH, Math.max(maxInline, perSegment * segments.length));
    }

    /** @return the largest key + value length stored in one record; larger values are chunked */
    public int maxInlineEntrySize()
    {
        return maxInline;
    }

    /** @return the largest key + value length accepted, large values included */
    public int maxEntrySize()
    {
        return (int)maxEntrySize;
    }

    /** @return bytes of value per chunk */
    public int chunkLength()
    {
        return chunkLength;
    }

    /** @return true when a value of this length is stored as a large value under a key of this length */
    public boolean isLarge(final int keyLength, final int valueLength)
    {
        return !segments[0].accepts(keyLength, valueLength) && keyLength <= EntryDescriptor.MAX_KEY_LENGTH &&
            (long)keyLength + valueLength <= maxEntrySize && segments[0].accepts(keyLength,
                LargeValueDescriptor.LENGTH);
    }

    // ------------------------------------------------------------------------------------------
    // Writes
    // ------------------------------------------------------------------------------------------

    /**
     * Stores a value, large or not; an entry too large for either is refused and counted by the
     * key's segment.
     *
     * @param value a {@code byte[]}, a {@code DirectBuffer} or a {@link ValueEncoder}
     * @return true when stored
     */
    public boolean put(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength, final long ttlMillis,
        final PutMode mode)
    {
        final Segment head = segmentOf(key);
        if (!isLarge(key.length(), valueLength))
        {
            final boolean stored = head.put(key, value, valueOffset, valueLength, ttlMillis, mode);
            removeOrphans(key);
            return stored;
        }
        if (mode != PutMode.PUT && !mode.appliesTo(head.contains(key)))
        {
            removeOrphans(key);
            return false; // decided early; the head's put would decide the same, after writing the chunks
        }
        Object source = value;
        int offset = valueOffset;
        if (value instanceof ValueEncoder)
        {
            final byte[] encoded = new byte[valueLength];
            try
            {
                Callbacks.encodeCopy(guard, (ValueEncoder)value, ByteBuffer.wrap(encoded));
            }
            finally
            {
                guard.endOperation(); // frees the memory if the codec closed the cache
            }
            source = encoded;
            offset = 0;
        }
        final int chunks = LargeValueDescriptor.chunkCount(valueLength, chunkLength);
        final long generation = generations.getAndAdd(chunks);
        final int check = check(key);
        final KeyRef chunkKey = key.chunkKey();
        int written = 0;
        boolean stored = false;
        Throwable failure = null;
        try
        {
            for (; written < chunks; written++)
            {
                final int from = written * chunkLength;
                chunkKey.setChunk(generation + written, check, hasher);
                if (!segmentOf(chunkKey).putChunk(chunkKey, source, offset + from,
                    Math.min(chunkLength, valueLength - from)))
                {
                    throw new IllegalStateException("chunk id taken: generation=" + generation + ", chunk=" + written);
                }
            }
            stored = head.putHead(key, head(key, generation, valueLength, check), ttlMillis, mode);
            return stored;
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
            throw ex;
        }
        finally
        {
            if (!stored)
            {
                key.addOrphans(generation, KeyRef.countAndCheck(written, check));
            }
            removeOrphansAfter(key, failure);
        }
    }

    /**
     * {@link #removeOrphans} after an operation that failed with {@code failure} (or null): a
     * cleanup that fails too (a callback closed the cache) must not hide the operation's own
     * exception, which says why; it is added to it as suppressed.
     */
    private void removeOrphansAfter(final KeyRef key, final Throwable failure)
    {
        if (failure == null)
        {
            removeOrphans(key);
            return;
        }
        try
        {
            removeOrphans(key);
        }
        catch (final RuntimeException cleanup)
        {
            failure.addSuppressed(cleanup);
        }
    }

    /** Removes the chunks of the heads this thread's last operation removed (see the class comment). */
    public void removeOrphans(final KeyRef key)
    {
        if (!key.hasOrphans())
        {
            return;
        }
        final KeyRef chunkKey = key.chunkKey();
        try
        {
            while (key.hasOrphans())
            {
                final long generation = key.lastOrphanGeneration();
                final int count = key.lastOrphanCount();
                final int check = key.lastOrphanCheck();
                key.dropOrphan();
                for (int i = 0; i < count; i++)
                {
                    chunkKey.setChunk(generation + i, check, hasher);
                    segmentOf(chunkKey).removeChunk(chunkKey);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            key.dropOrphans(); // the cache is closed, or a segment corrupted: what is left is not ours to free
            throw ex;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Reads
    // ------------------------------------------------------------------------------------------

    /**
     * @param dst a {@code byte[]} or {@code MutableDirectBuffer} to copy into when the value fits
     * @return the value's length (copied only when it fits), or -1 when absent
     */
    public int get(
        final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity, final boolean record)
    {
        final Segment head = segmentOf(key);
        for (int attempt = 1; ; attempt++)
        {
            final int found = head.get(key, dst, dstOffset, dstCapacity, record);
            final int result = found == LARGE ? assemble(head, key, dst, dstOffset, dstCapacity, record, attempt) :
                found;
            if (result != RETRY)
            {
                removeOrphans(key);
                return result;
            }
        }
    }

    /** @return a copy of the value, or null when absent */
    public byte[] get(final KeyRef key, final boolean record)
    {
        final int length = get(key, ALLOCATE, 0, Integer.MAX_VALUE, record);
        final byte[] value = key.takeCopy();
        return length < 0 ? null : value;
    }

    /** @return true when the key has a live entry (for a large value, its head; the chunks are not checked) */
    public boolean contains(final KeyRef key)
    {
        final boolean found = segmentOf(key).contains(key);
        removeOrphans(key);
        return found;
    }

    /**
     * Runs {@code reader} on the value: in place for an ordinary value, on a read-only view of a
     * copy for a large one (assembled first; the reader then runs under no lock, guarded like any
     * callback).
     *
     * @return what the reader returned, or null when absent
     */
    public <R> R read(final KeyRef key, final ValueReader<R> reader)
    {
        final Segment head = segmentOf(key);
        final R result = head.read(key, reader, true);
        removeOrphans(key);
        if (result != LARGE_VALUE)
        {
            return result;
        }
        final byte[] copy = get(key, true);
        if (copy == null)
        {
            return null;
        }
        try
        {
            return Callbacks.readCopy(guard, reader, ByteBuffer.wrap(copy));
        }
        finally
        {
            guard.endOperation(); // frees the memory if the reader closed the cache
        }
    }

    /**
     * A peek for iteration: a copy of the value and, in {@code ttlOut[0]}, its remaining time to live.
     *
     * @return the copy, or null when absent
     */
    public byte[] peekEntry(final KeyRef key, final long[] ttlOut)
    {
        final byte[] value = segmentOf(key).peekEntry(key, ttlOut);
        removeOrphans(key);
        return value == LARGE_VALUE ? get(key, false) : value;
    }

    /** Segment calls that need nothing from this class but the tidying after them. */
    public boolean remove(final KeyRef key)
    {
        final boolean removed = segmentOf(key).remove(key);
        removeOrphans(key);
        return removed;
    }

    /** @see Segment#touch */
    public boolean touch(final KeyRef key, final long ttlMillis)
    {
        final boolean touched = segmentOf(key).touch(key, ttlMillis);
        removeOrphans(key);
        return touched;
    }

    /** @see Segment#ttlMillis */
    public long ttlMillis(final KeyRef key)
    {
        final long ttl = segmentOf(key).ttlMillis(key);
        removeOrphans(key);
        return ttl;
    }

    /** @see Segment#compute; refuses a key holding a large value ({@link Segment#COMPUTE_REFUSED_LARGE}) */
    public int compute(final KeyRef key, final Remapper remapper, final long ttlMillis)
    {
        try
        {
            return segmentOf(key).compute(key, remapper, ttlMillis);
        }
        finally
        {
            removeOrphans(key);
        }
    }

    /**
     * Reads the chunks named by the head fields a read left in {@code key}.
     *
     * @return the value length; -1 when a chunk is missing and the head was removed as evicted (or
     *     after {@link #ATTEMPTS}); {@link #RETRY} when the key holds another value now
     */
    private int assemble(
        final Segment head, final KeyRef key, final Object dst, final int dstOffset, final int dstCapacity,
        final boolean record, final int attempt)
    {
        final long generation = key.headGeneration;
        final int length = key.headValueLength;
        final int stride = key.headChunkLength;
        final int check = key.headCheck;
        if (length >= 0 && length <= maxEntrySize && stride > 0)
        {
            if (dst != ALLOCATE && length > dstCapacity)
            {
                countRead(head, record, true);
                return length; // the caller may retry with room for it
            }
            final Object target = dst == ALLOCATE ? new byte[length] : dst;
            final int base = dst == ALLOCATE ? 0 : dstOffset;
            if (readChunks(key.chunkKey(), generation, length, stride, check, target, base, record))
            {
                countRead(head, record, true);
                key.copy = dst == ALLOCATE ? (byte[])target : null;
                return length;
            }
        }
        if (head.removeBrokenHead(key, generation) || attempt >= ATTEMPTS)
        {
            countRead(head, record, false);
            return -1;
        }
        return RETRY;
    }

    /** @return true when every chunk was there, with its expected length, and was copied */
    private boolean readChunks(
        final KeyRef chunkKey, final long generation, final int length, final int stride, final int check,
        final Object target, final int base, final boolean record)
    {
        final int chunks = LargeValueDescriptor.chunkCount(length, stride);
        for (int i = 0; i < chunks; i++)
        {
            final int from = i * stride;
            final int expected = Math.min(stride, length - from);
            chunkKey.setChunk(generation + i, check, hasher);
            if (segmentOf(chunkKey).get(chunkKey, target, base + from, expected, record) != expected)
            {
                return false;
            }
        }
        return true;
    }

    private static void countRead(final Segment head, final boolean record, final boolean hit)
    {
        if (record)
        {
            head.countRead(hit);
        }
    }

    /** @return this thread's head value for a new large value, filled */
    private byte[] head(final KeyRef key, final long generation, final int valueLength, final int check)
    {
        final byte[] head = key.headScratch();
        ByteArrays.LONG_NATIVE.set(head, LargeValueDescriptor.GENERATION_OFFSET, generation);
        ByteArrays.INT_NATIVE.set(head, LargeValueDescriptor.VALUE_LENGTH_OFFSET, valueLength);
        ByteArrays.INT_NATIVE.set(head, LargeValueDescriptor.CHUNK_LENGTH_OFFSET, chunkLength);
        ByteArrays.INT_NATIVE.set(head, LargeValueDescriptor.CHECK_OFFSET, check);
        ByteArrays.INT_NATIVE.set(head, LargeValueDescriptor.RESERVED_OFFSET, 0);
        return head;
    }

    private static int check(final KeyRef key)
    {
        return (int)(key.hash() ^ key.hash() >>> 32);
    }

    /** @return a new restore of a snapshot's records into this cache ({@link LargeValueRestore}) */
    public LargeValueRestore restoring()
    {
        return new LargeValueRestore(this);
    }

    /**
     * Makes the next generation {@code id + 1}; for {@link LargeValueRestore#finish}, before the cache is handed out.
     */
    void continueGenerationsAfter(final long id)
    {
        generations.set(id + 1);
    }

    KeyHasher hasher()
    {
        return hasher;
    }

    Segment segmentOf(final KeyRef key)
    {
        return segments[(int)key.hash() & mask];
    }
}
