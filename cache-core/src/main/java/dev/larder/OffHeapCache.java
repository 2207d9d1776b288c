package dev.larder;

import static java.util.Objects.requireNonNull;

import dev.larder.internal.CallbackGuard;
import dev.larder.internal.KeyHasher;
import dev.larder.internal.MemoryKind;
import dev.larder.internal.OffHeapAllocator;
import dev.larder.internal.ReadGate;
import dev.larder.internal.Remapper;
import dev.larder.internal.Segment;
import dev.larder.internal.SegmentStat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * An off-heap, zero-GC cache of byte keys and values. Entries live in direct memory that the
 * garbage collector never scans; the on-heap footprint is a few objects per segment whatever the
 * entry count.
 *
 * <pre>{@code
 * try (OffHeapCache cache = OffHeapCache.builder()
 *         .capacity(512L << 20)              // 512 MiB off-heap, index included
 *         .defaultTtl(Duration.ofMinutes(10))
 *         .build()) {
 *     cache.put(key, value);
 *     byte[] hit = cache.get(key);           // null when absent or expired
 * }
 * }</pre>
 *
 * <h2>Keys and values</h2>
 * Every operation comes keyed three ways: by {@code byte[]}, by a {@code long} (the 8 bytes of its
 * big-endian encoding, so {@code get(42L)} and {@code get(bigEndianBytesOf(42L))} are the same
 * key), and by a range of an Agrona {@link DirectBuffer}. Keys are compared in full, never by hash
 * alone. They are hashed with SipHash-1-3 under a random key drawn for each cache, so keys chosen
 * by an attacker spread like random ones ({@link HashFunction}). Keys and values may be empty. A key is at most 65535 bytes and key + value at most
 * {@link #maxEntrySize()} (a quarter of a segment's ring, minus a 24-byte header); larger writes
 * are refused: the call returns {@code false} and {@link CacheStats#rejectionCount()} counts it.
 *
 * <h2>Allocation</h2>
 * {@code put} and the copying {@code get(key, dst)} variants allocate nothing on the heap;
 * {@code get(key)} allocates only the returned array (and, when it races a writer on the same
 * segment, at most one more that it discards).
 *
 * <h2>Expiry</h2>
 * Per-entry time to live with millisecond precision, from 1 ms to {@link #MAX_TTL}. Expired
 * entries are never returned; they are reclaimed when touched and by eviction.
 *
 * <h2>Threads and closing</h2>
 * All methods are thread-safe. Writes lock their segment; {@code get}, {@code peek} and
 * {@code containsKey} take no lock (a per-segment seqlock: a read that races a writer retries, then
 * takes the lock), so reads scale across cores. {@link #close()} frees the off-heap memory at once;
 * every call after it, including calls racing with it, throws
 * {@code IllegalStateException("cache is closed")} and never touches freed memory.
 *
 * <h2>Callbacks</h2>
 * The code the cache runs for you (a {@link RemovalListener}, a {@link ValueReader}, a compute
 * function, a codec, a custom {@link Ticker}) must not call the cache: any call from it, to any key,
 * throws {@code IllegalStateException("the cache must not be called from its own callbacks: ...")}
 * instead of deadlocking or changing the cache under the running operation. It may call
 * {@link #close()}: the cache is closed at once, the operation that ran the callback throws
 * {@code IllegalStateException("cache is closed: ...")}, and the memory is freed as that operation
 * returns. The views a callback gets are valid during the call only, and expose no
 * {@code ByteBuffer}, array or address of the cache's memory.
 */
public final class OffHeapCache implements AutoCloseable
{
    /** Shortest time to live accepted. */
    public static final Duration MIN_TTL = Duration.ofMillis(1);

    /** Longest time to live accepted. */
    public static final Duration MAX_TTL = Duration.ofDays(365_000);

    /** What {@link #ttlMillis(byte[])} returns for an entry that never expires. */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    /** What {@link #ttlMillis(byte[])} and the copying gets return for an absent key. */
    public static final int ABSENT = -1;

    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    /** Internal ttl argument meaning "the cache's default time to live". */
    static final long DEFAULT_TTL = -1;

    /** For tests: told of every cache built, and of every close before anything is freed; null otherwise. */
    static volatile Consumer<OffHeapCache> buildHook;
    static volatile Consumer<OffHeapCache> closeHook;

    private final Segment[] segments;
    private final int segmentMask;
    private final KeyHasher hasher;
    private final long defaultTtlMillis;
    private final long capacity;
    private final long allocatedBytes;
    private final long indexBytes;
    private final int maxEntrySize;
    private final MemoryBackend backend;
    private final OffHeapAllocator allocator;
    private final ReadGate gate;
    private final CallbackGuard guard;
    private final LongAdder loadSuccesses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();

    OffHeapCache(
        final Segment[] segments,
        final ReadGate gate,
        final CallbackGuard guard,
        final KeyHasher hasher,
        final long defaultTtlMillis,
        final long capacity,
        final long indexBytes,
        final MemoryKind kind,
        final OffHeapAllocator allocator)
    {
        this.segments = segments;
        this.gate = gate;
        this.guard = guard;
        this.segmentMask = segments.length - 1;
        this.hasher = hasher;
        this.defaultTtlMillis = defaultTtlMillis;
        this.capacity = capacity;
        this.indexBytes = indexBytes;
        this.allocatedBytes = allocator.allocatedBytes();
        this.maxEntrySize = segments[0].maxKeyPlusValue();
        this.backend = kind == MemoryKind.AGRONA ? MemoryBackend.AGRONA : MemoryBackend.JDK;
        this.allocator = allocator;
        guard.onDeferredFree(this::freeMemory);
    }

    /** @return a builder; see {@link OffHeapCacheBuilder} for the options. */
    public static OffHeapCacheBuilder builder()
    {
        return new OffHeapCacheBuilder();
    }

    // ----------------------------------------------------------------------------------------------
    // put
    // ----------------------------------------------------------------------------------------------

    /**
     * Stores a value with the default time to live.
     *
     * @return true when stored; false when the entry exceeds {@link #maxEntrySize()} (counted as a
     *     rejection; the cache is unchanged)
     */
    public boolean put(final byte[] key, final byte[] value)
    {
        return put(key, value, defaultTtlMillis, Segment.PUT);
    }

    /** Stores a value that expires after {@code ttl}; see {@link #put(byte[], byte[])}. */
    public boolean put(final byte[] key, final byte[] value, final Duration ttl)
    {
        return put(key, value, ttlMillisOf(ttl), Segment.PUT);
    }

    /** Stores a value under a {@code long} key; see {@link #put(byte[], byte[])}. */
    public boolean put(final long key, final byte[] value)
    {
        return put(key, value, defaultTtlMillis, Segment.PUT);
    }

    /** Stores a value under a {@code long} key that expires after {@code ttl}. */
    public boolean put(final long key, final byte[] value, final Duration ttl)
    {
        return put(key, value, ttlMillisOf(ttl), Segment.PUT);
    }

    /** Stores a value from a buffer range under a buffer-range key; allocation-free. */
    public boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return put(key, keyOffset, keyLength, value, valueOffset, valueLength, defaultTtlMillis, Segment.PUT);
    }

    /** Stores a value from a buffer range that expires after {@code ttl}. */
    public boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final Duration ttl)
    {
        return put(key, keyOffset, keyLength, value, valueOffset, valueLength, ttlMillisOf(ttl), Segment.PUT);
    }

    /**
     * Stores a value only when the key has no live entry.
     *
     * @return true when stored; false when a live entry exists or the entry is too large
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value)
    {
        return put(key, value, defaultTtlMillis, Segment.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[])} with a time to live. */
    public boolean putIfAbsent(final byte[] key, final byte[] value, final Duration ttl)
    {
        return put(key, value, ttlMillisOf(ttl), Segment.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[])} for a {@code long} key. */
    public boolean putIfAbsent(final long key, final byte[] value)
    {
        return put(key, value, defaultTtlMillis, Segment.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[])} for buffer ranges. */
    public boolean putIfAbsent(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return put(key, keyOffset, keyLength, value, valueOffset, valueLength, defaultTtlMillis, Segment.PUT_IF_ABSENT);
    }

    /**
     * Stores a value only when the key has a live entry; the new value gets the default time to live.
     *
     * @return true when replaced; false when absent or the entry is too large
     */
    public boolean replace(final byte[] key, final byte[] value)
    {
        return put(key, value, defaultTtlMillis, Segment.REPLACE);
    }

    /** {@link #replace(byte[], byte[])} with a time to live. */
    public boolean replace(final byte[] key, final byte[] value, final Duration ttl)
    {
        return put(key, value, ttlMillisOf(ttl), Segment.REPLACE);
    }

    /** {@link #replace(byte[], byte[])} for a {@code long} key. */
    public boolean replace(final long key, final byte[] value)
    {
        return put(key, value, defaultTtlMillis, Segment.REPLACE);
    }

    /** {@link #replace(byte[], byte[])} for buffer ranges. */
    public boolean replace(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return put(key, keyOffset, keyLength, value, valueOffset, valueLength, defaultTtlMillis, Segment.REPLACE);
    }

    // ----------------------------------------------------------------------------------------------
    // get and peek
    // ----------------------------------------------------------------------------------------------

    /** @return a copy of the value, or null when absent or expired. Counts a hit or a miss. */
    public byte[] get(final byte[] key)
    {
        requireNonNull(key, "key");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).get(hash, key, 0, 0, key.length, true);
    }

    /** @return a copy of the value, or null when absent or expired. */
    public byte[] get(final long key)
    {
        final long hash = hasher.hash(key);
        return segment(hash).get(hash, null, key, 0, Long.BYTES, true);
    }

    /** @return a copy of the value, or null when absent or expired. */
    public byte[] get(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).get(hash, key, 0, keyOffset, keyLength, true);
    }

    /**
     * Copies the value into {@code dst} from index 0, when it fits; allocation-free. When the
     * result is {@link #ABSENT} or larger than {@code dst}, {@code dst} holds unspecified bytes (a
     * lock-free attempt that raced a writer may have copied into it).
     *
     * @return the value's length (copied only when {@code <= dst.length}, so a caller can retry
     *     with a larger array), or {@link #ABSENT}
     */
    public int get(final byte[] key, final byte[] dst)
    {
        requireNonNull(key, "key");
        requireNonNull(dst, "dst");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).get(hash, key, 0, 0, key.length, dst, 0, dst.length, true);
    }

    /** {@link #get(byte[], byte[])} for a {@code long} key. */
    public int get(final long key, final byte[] dst)
    {
        requireNonNull(dst, "dst");
        final long hash = hasher.hash(key);
        return segment(hash).get(hash, null, key, 0, Long.BYTES, dst, 0, dst.length, true);
    }

    /**
     * Copies the value into {@code dst} at {@code dstOffset} when it fits (an expandable buffer
     * always fits); allocation-free.
     *
     * @return the value's length, or {@link #ABSENT}
     */
    public int get(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final int room = room(dst, dstOffset);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).get(hash, key, 0, keyOffset, keyLength, dst, dstOffset, room, true);
    }

    /** {@link #get(DirectBuffer, int, int, MutableDirectBuffer, int)} for a {@code long} key. */
    public int get(final long key, final MutableDirectBuffer dst, final int dstOffset)
    {
        final int room = room(dst, dstOffset);
        final long hash = hasher.hash(key);
        return segment(hash).get(hash, null, key, 0, Long.BYTES, dst, dstOffset, room, true);
    }

    /** Like {@link #get(byte[])} but counts nothing and does not refresh the entry's recency. */
    public byte[] peek(final byte[] key)
    {
        requireNonNull(key, "key");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).get(hash, key, 0, 0, key.length, false);
    }

    /** Like {@link #get(long)} but counts nothing and does not refresh the entry's recency. */
    public byte[] peek(final long key)
    {
        final long hash = hasher.hash(key);
        return segment(hash).get(hash, null, key, 0, Long.BYTES, false);
    }

    /** Like {@link #get(byte[], byte[])} but counts nothing and does not refresh recency. */
    public int peek(final byte[] key, final byte[] dst)
    {
        requireNonNull(key, "key");
        requireNonNull(dst, "dst");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).get(hash, key, 0, 0, key.length, dst, 0, dst.length, false);
    }

    /** Like {@link #get(DirectBuffer, int, int, MutableDirectBuffer, int)} but counts nothing. */
    public int peek(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final int room = room(dst, dstOffset);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).get(hash, key, 0, keyOffset, keyLength, dst, dstOffset, room, false);
    }

    // ----------------------------------------------------------------------------------------------
    // remove, containsKey, touch, ttl
    // ----------------------------------------------------------------------------------------------

    /** @return true when a live entry was removed. */
    public boolean remove(final byte[] key)
    {
        requireNonNull(key, "key");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).remove(hash, key, 0, 0, key.length);
    }

    /** @return true when a live entry was removed. */
    public boolean remove(final long key)
    {
        final long hash = hasher.hash(key);
        return segment(hash).remove(hash, null, key, 0, Long.BYTES);
    }

    /** @return true when a live entry was removed. */
    public boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).remove(hash, key, 0, keyOffset, keyLength);
    }

    /** @return true when the key has a live entry; counts nothing, does not refresh recency. */
    public boolean containsKey(final byte[] key)
    {
        requireNonNull(key, "key");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).contains(hash, key, 0, 0, key.length);
    }

    /** @return true when the key has a live entry. */
    public boolean containsKey(final long key)
    {
        final long hash = hasher.hash(key);
        return segment(hash).contains(hash, null, key, 0, Long.BYTES);
    }

    /** @return true when the key has a live entry. */
    public boolean containsKey(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).contains(hash, key, 0, keyOffset, keyLength);
    }

    /**
     * Gives a live entry a new time to live, counted from now; the value is unchanged.
     *
     * @return true when the key has a live entry
     */
    public boolean touch(final byte[] key, final Duration ttl)
    {
        requireNonNull(key, "key");
        final long ttlMillis = ttlMillisOf(ttl);
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).touch(hash, key, 0, 0, key.length, ttlMillis);
    }

    /** {@link #touch(byte[], Duration)} for a {@code long} key. */
    public boolean touch(final long key, final Duration ttl)
    {
        final long ttlMillis = ttlMillisOf(ttl);
        final long hash = hasher.hash(key);
        return segment(hash).touch(hash, null, key, 0, Long.BYTES, ttlMillis);
    }

    /** {@link #touch(byte[], Duration)} for a buffer-range key. */
    public boolean touch(final DirectBuffer key, final int keyOffset, final int keyLength, final Duration ttl)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final long ttlMillis = ttlMillisOf(ttl);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).touch(hash, key, 0, keyOffset, keyLength, ttlMillis);
    }

    /**
     * @return the remaining time to live; {@code ChronoUnit.FOREVER.getDuration()} for an entry
     *     that never expires; null when absent or expired
     */
    public Duration ttl(final byte[] key)
    {
        return durationOf(ttlMillis(key));
    }

    /** {@link #ttl(byte[])} for a {@code long} key. */
    public Duration ttl(final long key)
    {
        return durationOf(ttlMillis(key));
    }

    /**
     * Allocation-free {@link #ttl(byte[])}.
     *
     * @return remaining milliseconds, {@link #NO_EXPIRY}, or {@link #ABSENT}
     */
    public long ttlMillis(final byte[] key)
    {
        requireNonNull(key, "key");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).ttlMillis(hash, key, 0, 0, key.length);
    }

    /** {@link #ttlMillis(byte[])} for a {@code long} key. */
    public long ttlMillis(final long key)
    {
        final long hash = hasher.hash(key);
        return segment(hash).ttlMillis(hash, null, key, 0, Long.BYTES);
    }

    /** {@link #ttlMillis(byte[])} for a buffer-range key. */
    public long ttlMillis(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkRange(key, "key", keyOffset, keyLength);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).ttlMillis(hash, key, 0, keyOffset, keyLength);
    }

    // ----------------------------------------------------------------------------------------------
    // Zero-copy reads and atomic updates
    // ----------------------------------------------------------------------------------------------

    /**
     * Reads the value in place, without copying it; see {@link ValueReader} for what the view
     * allows. Counts a hit or a miss and refreshes recency, like {@code get}.
     *
     * @return what {@code reader} returned, or null when absent or expired (then it is not called)
     */
    public <R> R read(final byte[] key, final ValueReader<R> reader)
    {
        requireNonNull(key, "key");
        requireNonNull(reader, "reader");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).read(hash, key, 0, 0, key.length, reader, true);
    }

    /** {@link #read(byte[], ValueReader)} for a {@code long} key. */
    public <R> R read(final long key, final ValueReader<R> reader)
    {
        requireNonNull(reader, "reader");
        final long hash = hasher.hash(key);
        return segment(hash).read(hash, null, key, 0, Long.BYTES, reader, true);
    }

    /** {@link #read(byte[], ValueReader)} for a buffer-range key. */
    public <R> R read(final DirectBuffer key, final int keyOffset, final int keyLength, final ValueReader<R> reader)
    {
        checkRange(key, "key", keyOffset, keyLength);
        requireNonNull(reader, "reader");
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).read(hash, key, 0, keyOffset, keyLength, reader, true);
    }

    /**
     * Atomically updates one key under its segment's lock (freecache's Update, OHC's addOrReplace).
     * {@code remapping} gets a copy of the current value, or null when absent, and returns the new
     * value; null removes the entry; a value with the same bytes as the current one keeps the entry
     * untouched (its time to live too). It must not call the cache (see Callbacks above). A new value
     * gets the default time to live.
     *
     * @return the value the key now has (the array {@code remapping} returned), or null
     * @throws IllegalArgumentException when the new entry exceeds {@link #maxEntrySize()} (counted as a
     *     rejection; the entry is unchanged)
     */
    public byte[] compute(final byte[] key, final UnaryOperator<byte[]> remapping)
    {
        requireNonNull(key, "key");
        final long hash = hasher.hash(key, 0, key.length);
        return compute(hash, key, 0, key.length, remapping);
    }

    /** {@link #compute(byte[], UnaryOperator)} for a {@code long} key. */
    public byte[] compute(final long key, final UnaryOperator<byte[]> remapping)
    {
        return compute(hasher.hash(key), null, key, Long.BYTES, remapping);
    }

    private byte[] compute(
        final long hash, final byte[] key, final long keyBits, final int keyLength,
        final UnaryOperator<byte[]> remapping)
    {
        requireNonNull(remapping, "remapping");
        final byte[][] result = new byte[1][];
        final int outcome = segment(hash).compute(hash, key, keyBits, 0, keyLength, current -> {
            final byte[] next = remapping.apply(current == null ? null : copyOf(current));
            result[0] = next;
            return next != null && current != null && sameBytes(current, next) ? Remapper.KEEP : next;
        }, defaultTtlMillis);
        if (outcome < 0)
        {
            throw tooLarge(keyLength, result[0].length);
        }
        return result[0];
    }

    static boolean sameBytes(final DirectBuffer view, final byte[] bytes)
    {
        if (view.capacity() != bytes.length)
        {
            return false;
        }
        for (int i = 0; i < bytes.length; i++)
        {
            if (view.getByte(i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    static byte[] copyOf(final DirectBuffer view)
    {
        final byte[] bytes = new byte[view.capacity()];
        view.getBytes(0, bytes);
        return bytes;
    }

    IllegalArgumentException tooLarge(final int keyLength, final int valueLength)
    {
        return new IllegalArgumentException("entry must be at most maxEntrySize bytes (key + value): keyLength=" +
            keyLength + ", valueLength=" + valueLength + ", maxEntrySize=" + maxEntrySize);
    }

    // ----------------------------------------------------------------------------------------------
    // Iteration
    // ----------------------------------------------------------------------------------------------

    /**
     * Weakly consistent iteration over the live entries, one segment at a time: the keys of a
     * segment are copied under its lock, then each entry is read again, briefly locked, as the
     * iterator reaches it. No lock is held while the caller's code runs; concurrent writes never
     * fail the iteration; an entry present throughout is seen exactly once; an entry removed or
     * expired before the iterator reaches it is skipped. Reads through iteration count nothing and
     * do not refresh recency.
     *
     * @return entries with copies of their keys and values
     */
    public Iterable<CacheEntry<byte[], byte[]>> entries()
    {
        return () -> new EntryIterator<>(this, (key, value) -> key, (key, value) -> value);
    }

    /** Decodes a raw key or value for {@link EntryIterator}. */
    @FunctionalInterface
    interface Decoder<T>
    {
        T decode(byte[] key, byte[] value);
    }

    /** Walks the segments; shared by the byte-level and the typed caches. */
    static final class EntryIterator<K, V> implements Iterator<CacheEntry<K, V>>
    {
        private final OffHeapCache cache;
        private final Decoder<K> keys;
        private final Decoder<V> values;
        private final List<byte[]> batch = new ArrayList<>();
        private final long[] ttl = new long[1];
        private int segment;
        private int next;
        private CacheEntry<K, V> pending;

        EntryIterator(final OffHeapCache cache, final Decoder<K> keys, final Decoder<V> values)
        {
            this.cache = cache;
            this.keys = keys;
            this.values = values;
        }

        @Override
        public boolean hasNext()
        {
            while (pending == null)
            {
                if (next == batch.size())
                {
                    if (segment == cache.segments.length)
                    {
                        return false;
                    }
                    batch.clear();
                    next = 0;
                    cache.segments[segment++].snapshotKeys(batch);
                    continue;
                }
                final byte[] key = batch.get(next);
                batch.set(next++, null);
                final long hash = cache.hasher.hash(key, 0, key.length);
                final byte[] value = cache.segment(hash).peekEntry(hash, key, 0, 0, key.length, ttl);
                if (value != null)
                {
                    pending = decode(key, value);
                }
            }
            return true;
        }

        /** Decodes an entry as a callback: no lock is held, so a codec that closes the cache frees it here. */
        private CacheEntry<K, V> decode(final byte[] key, final byte[] value)
        {
            final CallbackGuard guard = cache.guard;
            try
            {
                final CallbackGuard.Scope scope = guard.enter(CallbackGuard.ITERATION);
                final CacheEntry<K, V> entry;
                try
                {
                    entry = new CacheEntry<>(keys.decode(key, value), values.decode(key, value), ttl[0]);
                }
                finally
                {
                    guard.exit(scope);
                }
                guard.afterCallback(scope);
                return entry;
            }
            finally
            {
                guard.endOperation();
            }
        }

        @Override
        public CacheEntry<K, V> next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            final CacheEntry<K, V> entry = pending;
            pending = null;
            return entry;
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Loads (recorded by the typed cache's loaders)
    // ----------------------------------------------------------------------------------------------

    void recordLoad(final boolean success, final long nanos)
    {
        (success ? loadSuccesses : loadFailures).increment();
        loadNanos.add(nanos);
    }

    KeyHasher hasher()
    {
        return hasher;
    }

    CallbackGuard guard()
    {
        return guard;
    }

    Segment segmentFor(final long hash)
    {
        return segment(hash);
    }

    // ----------------------------------------------------------------------------------------------
    // Whole cache
    // ----------------------------------------------------------------------------------------------

    /** Removes every entry, one segment at a time. Statistics are kept. */
    public void clear()
    {
        for (final Segment segment : segments)
        {
            segment.clear();
        }
    }

    /** @return a snapshot of the counters. */
    public CacheStats stats()
    {
        final long[] totals = new long[SegmentStat.values().length];
        for (final Segment segment : segments)
        {
            segment.addStatsTo(totals);
        }
        return new CacheStats(
            totals[SegmentStat.HITS.ordinal()] + gate.hits(),
            totals[SegmentStat.MISSES.ordinal()] + gate.misses(),
            totals[SegmentStat.PUTS.ordinal()],
            totals[SegmentStat.OVERWRITES.ordinal()],
            totals[SegmentStat.REMOVALS.ordinal()],
            totals[SegmentStat.EVICTIONS.ordinal()],
            totals[SegmentStat.COLLISION_EVICTIONS.ordinal()],
            totals[SegmentStat.EXPIRATIONS.ordinal()],
            totals[SegmentStat.REJECTIONS.ordinal()],
            totals[SegmentStat.MOVES.ordinal()],
            totals[SegmentStat.ENTRIES.ordinal()],
            totals[SegmentStat.RING_USED.ordinal()] + indexBytes,
            allocatedBytes,
            capacity,
            backend,
            totals[SegmentStat.LISTENER_FAILURES.ordinal()],
            loadSuccesses.sum(),
            loadFailures.sum(),
            loadNanos.sum());
    }

    /** @return the live entry count (expired entries not yet noticed included). */
    public long size()
    {
        return stats().entryCount();
    }

    /** @return the largest key length + value length accepted. */
    public int maxEntrySize()
    {
        return maxEntrySize;
    }

    /** @return the configured capacity in bytes. */
    public long capacity()
    {
        return capacity;
    }

    /** @return the number of segments. */
    public int segmentCount()
    {
        return segments.length;
    }

    /** @return the key hash in use. */
    public HashFunction hashFunction()
    {
        return hasher.function();
    }

    /** @return the memory-access backend in use. */
    public MemoryBackend memoryBackend()
    {
        return backend;
    }

    /** @return true once {@link #close()} has been called. */
    public boolean isClosed()
    {
        return guard.isClosed();
    }

    /**
     * Frees the off-heap memory now. Idempotent. Makes every later call throw
     * {@code IllegalStateException("cache is closed")}, waits for calls in progress on each segment,
     * then frees. Called from inside one of the cache's callbacks, it closes the cache at once and
     * returns; the operation that ran the callback then throws {@code IllegalStateException} and
     * frees the memory as it returns (a close() from another thread meanwhile returns at once).
     */
    @Override
    public void close()
    {
        final Consumer<OffHeapCache> hook = closeHook;
        if (hook != null)
        {
            hook.accept(this);
        }
        // Shut the gate before any call can see the cache closed: a lock-free read that starts
        // after another call was refused must be refused too, not answer from memory still there
        // (Lincheck found that order: compute refused, then a get on the same thread missed).
        // Later readers take the locked path, which refuses them.
        gate.shut();
        if (guard.closeFromCallback())
        {
            return;
        }
        if (guard.markClosed())
        {
            freeMemory();
        }
    }

    /** Waits for lock-free readers and for locked calls, then frees the memory; run once. */
    private void freeMemory()
    {
        gate.close(); // drains lock-free readers
        for (final Segment segment : segments)
        {
            segment.close(); // waits for locked calls
        }
        allocator.freeAll();
    }

    @Override
    public String toString()
    {
        return "OffHeapCache{capacity=" + capacity + ", segments=" + segments.length + ", memoryBackend=" + backend +
            ", maxEntrySize=" + maxEntrySize + ", hashFunction=" + hasher + (guard.isClosed() ? ", closed" : "") + "}";
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    /** For tests: checks every segment's ring and index agree. */
    void verifyInvariants()
    {
        for (final Segment segment : segments)
        {
            segment.verifyInvariants();
        }
    }

    Segment[] segments()
    {
        return segments;
    }

    /** For tests: off-heap bytes allocated and not yet freed; 0 once close() has freed them. */
    long unfreedBytes()
    {
        return allocator.allocatedBytes();
    }

    private Segment segment(final long hash)
    {
        return segments[(int)hash & segmentMask];
    }

    private boolean put(final byte[] key, final byte[] value, final long ttlMillis, final int mode)
    {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        final long hash = hasher.hash(key, 0, key.length);
        return segment(hash).put(hash, key, 0, 0, key.length, value, 0, value.length, ttlMillis, mode);
    }

    private boolean put(final long key, final byte[] value, final long ttlMillis, final int mode)
    {
        requireNonNull(value, "value");
        final long hash = hasher.hash(key);
        return segment(hash).put(hash, null, key, 0, Long.BYTES, value, 0, value.length, ttlMillis, mode);
    }

    private boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength,
        final long ttlMillis, final int mode)
    {
        checkRange(key, "key", keyOffset, keyLength);
        checkRange(value, "value", valueOffset, valueLength);
        final long hash = hasher.hash(key, keyOffset, keyLength);
        return segment(hash).put(hash, key, 0, keyOffset, keyLength, value, valueOffset, valueLength, ttlMillis, mode);
    }

    private static void checkRange(final DirectBuffer buffer, final String name, final int offset, final int length)
    {
        requireNonNull(buffer, name);
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException(name + " range must lie inside the buffer: " + name + "Offset=" +
                offset + ", " + name + "Length=" + length + ", capacity=" + buffer.capacity());
        }
    }

    private static int room(final MutableDirectBuffer dst, final int dstOffset)
    {
        requireNonNull(dst, "dst");
        if (dstOffset < 0 || dstOffset > dst.capacity() && !dst.isExpandable())
        {
            throw new IndexOutOfBoundsException("dstOffset must lie inside the buffer: dstOffset=" + dstOffset +
                ", capacity=" + dst.capacity());
        }
        return dst.isExpandable() ? Integer.MAX_VALUE - dstOffset : dst.capacity() - dstOffset;
    }

    /**
     * @return the ttl in ms
     * @throws IllegalArgumentException unless 1 ms &lt;= ttl &lt;= {@link #MAX_TTL}
     */
    static long ttlMillisOf(final Duration ttl)
    {
        requireNonNull(ttl, "ttl");
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0)
        {
            throw new IllegalArgumentException("ttl must be at least 1 ms and at most " + MAX_TTL.toDays() +
                " days: ttl=" + ttl);
        }
        return ttl.toMillis();
    }

    /** @return {@code ttlMillis}, or the default time to live for {@link #DEFAULT_TTL}. */
    long ttlOrDefault(final long ttlMillis)
    {
        return ttlMillis == DEFAULT_TTL ? defaultTtlMillis : ttlMillis;
    }

    static Duration durationOf(final long ttlMillis)
    {
        if (ttlMillis == ABSENT)
        {
            return null;
        }
        return ttlMillis == NO_EXPIRY ? FOREVER : Duration.ofMillis(ttlMillis);
    }
}
