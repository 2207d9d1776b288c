package dev.larder;

import static java.util.Objects.requireNonNull;

import dev.larder.internal.CallbackGuard;
import dev.larder.internal.KeyHasher;
import dev.larder.internal.KeyRef;
import dev.larder.internal.LargeValues;
import dev.larder.internal.MemoryKind;
import dev.larder.internal.OffHeapAllocator;
import dev.larder.internal.PutMode;
import dev.larder.internal.ReadGate;
import dev.larder.internal.Remapper;
import dev.larder.internal.AdaptiveShared;
import dev.larder.internal.Segment;
import dev.larder.internal.SnapshotWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
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
 * key), and by a range of an Agrona {@link DirectBuffer} ({@code key, keyOffset, keyLength}). Every
 * write comes with and without a time to live. Keys are compared in full, never by hash alone. They
 * are hashed with SipHash-1-3 under a random key drawn for each cache, so keys chosen by an attacker
 * spread like random ones ({@link HashFunction}). Keys and values may be empty.
 *
 * <table>
 *   <caption>Operations and their key forms</caption>
 *   <tr><th>operation</th><th>{@code byte[]} key</th><th>{@code long} key</th>
 *       <th>{@code DirectBuffer} key range</th><th>time to live</th><th>returns</th></tr>
 *   <tr><td>{@code put}, {@code putIfAbsent}, {@code replace}</td><td>value {@code byte[]}</td>
 *       <td>value {@code byte[]}</td><td>value {@code DirectBuffer} range</td>
 *       <td>default, or a {@code Duration}</td><td>true when stored</td></tr>
 *   <tr><td>{@code compute}</td><td>yes</td><td>yes</td><td>yes</td>
 *       <td>default, or a {@code Duration}</td><td>the value the key has afterwards</td></tr>
 *   <tr><td>{@code get}, {@code peek}</td><td>yes</td><td>yes</td><td>yes</td><td></td>
 *       <td>a new {@code byte[]}, or null</td></tr>
 *   <tr><td>{@code get}, {@code peek} into {@code byte[] dst}</td><td>yes</td><td>yes</td><td>yes</td>
 *       <td></td><td>the value's length, or {@link #ABSENT}</td></tr>
 *   <tr><td>{@code get}, {@code peek} into {@code MutableDirectBuffer dst} at an offset</td><td>yes</td>
 *       <td>yes</td><td>yes</td><td></td><td>the value's length, or {@link #ABSENT}</td></tr>
 *   <tr><td>{@code read}</td><td>yes</td><td>yes</td><td>yes</td><td></td>
 *       <td>what the {@link ValueReader} returned, or null</td></tr>
 *   <tr><td>{@code containsKey}, {@code remove}</td><td>yes</td><td>yes</td><td>yes</td><td></td>
 *       <td>true when the key had a live entry</td></tr>
 *   <tr><td>{@code touch}</td><td>yes</td><td>yes</td><td>yes</td><td>a {@code Duration}</td>
 *       <td>true when the key has a live entry</td></tr>
 *   <tr><td>{@code ttl}, {@code ttlMillis}</td><td>yes</td><td>yes</td><td>yes</td><td></td>
 *       <td>the remaining time to live</td></tr>
 * </table>
 *
 * <h2>Large values and entries too large</h2>
 * An entry whose key + value exceeds {@link #maxInlineEntrySize()} (a quarter of a segment's ring,
 * minus a 24-byte header) is a <em>large value</em>: it is stored in chunks spread over the
 * segments, with a small head under its key, and behaves like any entry: it counts once in
 * {@link #size()}, its bytes count in the capacity, it expires, is evicted, replaced and removed
 * like any other, and every read returns it whole (the copying reads without allocating; {@code read}
 * hands its reader a view of a copy). Two exceptions: {@code compute} refuses a key holding a large
 * value, or a new value above {@link #maxInlineEntrySize()} (counted as a rejection; the function
 * is not called for the former), and a {@link RemovalListener} hears of a large value with an
 * empty value view. A large value one of whose chunks was evicted reads as a miss, and its removal
 * is reported as {@code EVICTED}.
 *
 * <p>A key is at most 65535 bytes and key + value at most {@link #maxEntrySize()}: about half the
 * capacity (half of every segment's ring, less the chunks' headers). A write of a larger entry is
 * refused, the same way by every write: the cache is left unchanged,
 * {@link CacheStats#rejectionCount()} counts it, and the result says so: {@code put},
 * {@code putIfAbsent} and {@code replace} return {@code false}; {@code compute} returns the key's
 * current value (null when absent) instead of the new one. A refusal is not an exception because
 * entry sizes are data, not programming errors: a cache may decline to hold a value, as it may
 * evict it.
 *
 * <h2>Allocation</h2>
 * Writes, the copying {@code get(key, dst)} and {@code peek(key, dst)} variants, {@code containsKey},
 * {@code remove}, {@code touch} and {@code ttlMillis} allocate nothing on the heap, large values
 * included; {@code get(key)} allocates only the returned array (and, when it races a writer on the
 * same segment, at most one more that it discards); {@code read} of a large value allocates a copy
 * of it. Each call looks up this thread's reusable key holder once.
 *
 * <h2>Expiry</h2>
 * Per-entry time to live with millisecond precision, from 1 ms to {@link #MAX_TTL}. Expired
 * entries are never returned; they are reclaimed when touched and by eviction.
 *
 * <h2>Threads and closing</h2>
 * All methods are thread-safe. Writes lock their segment; {@code get}, {@code peek} and
 * {@code containsKey} take no lock (a per-segment seqlock: a read that races a writer retries, then
 * takes the lock), so reads scale across cores; {@code read}, {@code ttl} and iteration take the
 * lock. {@link #close()} frees the off-heap memory at once; every call after it, including calls
 * racing with it, throws {@code IllegalStateException("cache is closed")} and never touches freed
 * memory.
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
    /** This thread's key; see {@link KeyRef}. */
    private final ThreadLocal<KeyRef> keys = ThreadLocal.withInitial(KeyRef::new);
    private final long defaultTtlMillis;
    private final long capacity;
    private final LargeValues large;
    private final MemoryBackend backend;
    private final OffHeapAllocator allocator;
    private final ReadGate gate;
    private final CallbackGuard guard;
    /** The statistics, assembled on demand, and the typed cache's load counters. */
    private final CacheCounters counters;
    /** Wall-clock ms since 1970, for the expire-at times of snapshots; tests inject their own. */
    private volatile java.util.function.LongSupplier wallClock = System::currentTimeMillis;
    /** What the builder's snapshot load did, or null. */
    private volatile SnapshotLoad snapshotLoad;

    OffHeapCache(
        final Segment[] segments,
        final ReadGate gate,
        final CallbackGuard guard,
        final LargeValues large,
        final KeyHasher hasher,
        final long defaultTtlMillis,
        final long capacity,
        final long indexBytes,
        final MemoryKind kind,
        final OffHeapAllocator allocator,
        final AdaptiveShared adaptive)
    {
        this.segments = segments;
        this.gate = gate;
        this.guard = guard;
        this.segmentMask = segments.length - 1;
        this.hasher = hasher;
        this.defaultTtlMillis = defaultTtlMillis;
        this.capacity = capacity;
        this.large = large;
        this.backend = kind == MemoryKind.AGRONA ? MemoryBackend.AGRONA : MemoryBackend.JDK;
        this.allocator = allocator;
        this.counters = new CacheCounters(segments, gate, indexBytes, allocator.allocatedBytes(), capacity, backend,
            adaptive);
        guard.onDeferredFree(this::freeMemory);
    }

    /** @return a builder; see {@link OffHeapCacheBuilder} for the options. */
    public static OffHeapCacheBuilder builder()
    {
        return new OffHeapCacheBuilder();
    }

    // ----------------------------------------------------------------------------------------------
    // put, putIfAbsent, replace
    // ----------------------------------------------------------------------------------------------

    /**
     * Stores a value with the default time to live.
     *
     * @return true when stored; false when the entry exceeds {@link #maxEntrySize()} (counted as a
     *     rejection; the cache is unchanged)
     */
    public boolean put(final byte[] key, final byte[] value)
    {
        return put(key(key), value, defaultTtlMillis, PutMode.PUT);
    }

    /** Stores a value that expires after {@code ttl}; see {@link #put(byte[], byte[])}. */
    public boolean put(final byte[] key, final byte[] value, final Duration ttl)
    {
        return put(key(key), value, ttlMillisOf(ttl), PutMode.PUT);
    }

    /** {@link #put(byte[], byte[])} for a {@code long} key. */
    public boolean put(final long key, final byte[] value)
    {
        return put(key(key), value, defaultTtlMillis, PutMode.PUT);
    }

    /** {@link #put(byte[], byte[], Duration)} for a {@code long} key. */
    public boolean put(final long key, final byte[] value, final Duration ttl)
    {
        return put(key(key), value, ttlMillisOf(ttl), PutMode.PUT);
    }

    /** {@link #put(byte[], byte[])} for buffer ranges. */
    public boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return put(key(key, keyOffset, keyLength), value, valueOffset, valueLength, defaultTtlMillis, PutMode.PUT);
    }

    /** {@link #put(byte[], byte[], Duration)} for buffer ranges. */
    public boolean put(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final Duration ttl)
    {
        return put(key(key, keyOffset, keyLength), value, valueOffset, valueLength, ttlMillisOf(ttl), PutMode.PUT);
    }

    /**
     * Stores a value only when the key has no live entry.
     *
     * @return true when stored; false when a live entry exists or the entry is too large
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value)
    {
        return put(key(key), value, defaultTtlMillis, PutMode.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[])} with a time to live. */
    public boolean putIfAbsent(final byte[] key, final byte[] value, final Duration ttl)
    {
        return put(key(key), value, ttlMillisOf(ttl), PutMode.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[])} for a {@code long} key. */
    public boolean putIfAbsent(final long key, final byte[] value)
    {
        return put(key(key), value, defaultTtlMillis, PutMode.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[], Duration)} for a {@code long} key. */
    public boolean putIfAbsent(final long key, final byte[] value, final Duration ttl)
    {
        return put(key(key), value, ttlMillisOf(ttl), PutMode.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[])} for buffer ranges. */
    public boolean putIfAbsent(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return put(key(key, keyOffset, keyLength), value, valueOffset, valueLength, defaultTtlMillis,
            PutMode.PUT_IF_ABSENT);
    }

    /** {@link #putIfAbsent(byte[], byte[], Duration)} for buffer ranges. */
    public boolean putIfAbsent(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final Duration ttl)
    {
        return put(key(key, keyOffset, keyLength), value, valueOffset, valueLength, ttlMillisOf(ttl),
            PutMode.PUT_IF_ABSENT);
    }

    /**
     * Stores a value only when the key has a live entry; the new value gets the default time to live.
     *
     * @return true when replaced; false when absent or the entry is too large
     */
    public boolean replace(final byte[] key, final byte[] value)
    {
        return put(key(key), value, defaultTtlMillis, PutMode.REPLACE);
    }

    /** {@link #replace(byte[], byte[])} with a time to live. */
    public boolean replace(final byte[] key, final byte[] value, final Duration ttl)
    {
        return put(key(key), value, ttlMillisOf(ttl), PutMode.REPLACE);
    }

    /** {@link #replace(byte[], byte[])} for a {@code long} key. */
    public boolean replace(final long key, final byte[] value)
    {
        return put(key(key), value, defaultTtlMillis, PutMode.REPLACE);
    }

    /** {@link #replace(byte[], byte[], Duration)} for a {@code long} key. */
    public boolean replace(final long key, final byte[] value, final Duration ttl)
    {
        return put(key(key), value, ttlMillisOf(ttl), PutMode.REPLACE);
    }

    /** {@link #replace(byte[], byte[])} for buffer ranges. */
    public boolean replace(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return put(key(key, keyOffset, keyLength), value, valueOffset, valueLength, defaultTtlMillis, PutMode.REPLACE);
    }

    /** {@link #replace(byte[], byte[], Duration)} for buffer ranges. */
    public boolean replace(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength, final Duration ttl)
    {
        return put(key(key, keyOffset, keyLength), value, valueOffset, valueLength, ttlMillisOf(ttl), PutMode.REPLACE);
    }

    // ----------------------------------------------------------------------------------------------
    // get and peek
    // ----------------------------------------------------------------------------------------------

    /** @return a copy of the value, or null when absent or expired. Counts a hit or a miss. */
    public byte[] get(final byte[] key)
    {
        return get(key(key), true);
    }

    /** {@link #get(byte[])} for a {@code long} key. */
    public byte[] get(final long key)
    {
        return get(key(key), true);
    }

    /** {@link #get(byte[])} for a buffer-range key. */
    public byte[] get(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return get(key(key, keyOffset, keyLength), true);
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
        return get(key(key), dst, true);
    }

    /** {@link #get(byte[], byte[])} for a {@code long} key. */
    public int get(final long key, final byte[] dst)
    {
        return get(key(key), dst, true);
    }

    /** {@link #get(byte[], byte[])} for a buffer-range key. */
    public int get(final DirectBuffer key, final int keyOffset, final int keyLength, final byte[] dst)
    {
        return get(key(key, keyOffset, keyLength), dst, true);
    }

    /**
     * Copies the value into {@code dst} at {@code dstOffset} when it fits (an expandable buffer
     * always fits); allocation-free. As with {@link #get(byte[], byte[])}, {@code dst} holds
     * unspecified bytes when the value was not copied.
     *
     * @return the value's length, or {@link #ABSENT}
     */
    public int get(final byte[] key, final MutableDirectBuffer dst, final int dstOffset)
    {
        return get(key(key), dst, dstOffset, true);
    }

    /** {@link #get(byte[], MutableDirectBuffer, int)} for a {@code long} key. */
    public int get(final long key, final MutableDirectBuffer dst, final int dstOffset)
    {
        return get(key(key), dst, dstOffset, true);
    }

    /** {@link #get(byte[], MutableDirectBuffer, int)} for a buffer-range key. */
    public int get(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        return get(key(key, keyOffset, keyLength), dst, dstOffset, true);
    }

    /** Like {@link #get(byte[])} but counts nothing and does not refresh the entry's recency. */
    public byte[] peek(final byte[] key)
    {
        return get(key(key), false);
    }

    /** {@link #peek(byte[])} for a {@code long} key. */
    public byte[] peek(final long key)
    {
        return get(key(key), false);
    }

    /** {@link #peek(byte[])} for a buffer-range key. */
    public byte[] peek(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return get(key(key, keyOffset, keyLength), false);
    }

    /** Like {@link #get(byte[], byte[])} but counts nothing and does not refresh recency. */
    public int peek(final byte[] key, final byte[] dst)
    {
        return get(key(key), dst, false);
    }

    /** {@link #peek(byte[], byte[])} for a {@code long} key. */
    public int peek(final long key, final byte[] dst)
    {
        return get(key(key), dst, false);
    }

    /** {@link #peek(byte[], byte[])} for a buffer-range key. */
    public int peek(final DirectBuffer key, final int keyOffset, final int keyLength, final byte[] dst)
    {
        return get(key(key, keyOffset, keyLength), dst, false);
    }

    /** Like {@link #get(byte[], MutableDirectBuffer, int)} but counts nothing and does not refresh recency. */
    public int peek(final byte[] key, final MutableDirectBuffer dst, final int dstOffset)
    {
        return get(key(key), dst, dstOffset, false);
    }

    /** {@link #peek(byte[], MutableDirectBuffer, int)} for a {@code long} key. */
    public int peek(final long key, final MutableDirectBuffer dst, final int dstOffset)
    {
        return get(key(key), dst, dstOffset, false);
    }

    /** {@link #peek(byte[], MutableDirectBuffer, int)} for a buffer-range key. */
    public int peek(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        return get(key(key, keyOffset, keyLength), dst, dstOffset, false);
    }

    // ----------------------------------------------------------------------------------------------
    // remove, containsKey, touch, ttl
    // ----------------------------------------------------------------------------------------------

    /** @return true when a live entry was removed. */
    public boolean remove(final byte[] key)
    {
        return remove(key(key));
    }

    /** {@link #remove(byte[])} for a {@code long} key. */
    public boolean remove(final long key)
    {
        return remove(key(key));
    }

    /** {@link #remove(byte[])} for a buffer-range key. */
    public boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return remove(key(key, keyOffset, keyLength));
    }

    /** @return true when the key has a live entry; counts nothing, does not refresh recency. */
    public boolean containsKey(final byte[] key)
    {
        return containsKey(key(key));
    }

    /** {@link #containsKey(byte[])} for a {@code long} key. */
    public boolean containsKey(final long key)
    {
        return containsKey(key(key));
    }

    /** {@link #containsKey(byte[])} for a buffer-range key. */
    public boolean containsKey(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return containsKey(key(key, keyOffset, keyLength));
    }

    /**
     * Gives a live entry a new time to live, counted from now; the value is unchanged.
     *
     * @return true when the key has a live entry
     */
    public boolean touch(final byte[] key, final Duration ttl)
    {
        return touch(key(key), ttlMillisOf(ttl));
    }

    /** {@link #touch(byte[], Duration)} for a {@code long} key. */
    public boolean touch(final long key, final Duration ttl)
    {
        return touch(key(key), ttlMillisOf(ttl));
    }

    /** {@link #touch(byte[], Duration)} for a buffer-range key. */
    public boolean touch(final DirectBuffer key, final int keyOffset, final int keyLength, final Duration ttl)
    {
        return touch(key(key, keyOffset, keyLength), ttlMillisOf(ttl));
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

    /** {@link #ttl(byte[])} for a buffer-range key. */
    public Duration ttl(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return durationOf(ttlMillis(key, keyOffset, keyLength));
    }

    /**
     * Allocation-free {@link #ttl(byte[])}.
     *
     * @return remaining milliseconds, {@link #NO_EXPIRY}, or {@link #ABSENT}
     */
    public long ttlMillis(final byte[] key)
    {
        return ttlMillis(key(key));
    }

    /** {@link #ttlMillis(byte[])} for a {@code long} key. */
    public long ttlMillis(final long key)
    {
        return ttlMillis(key(key));
    }

    /** {@link #ttlMillis(byte[])} for a buffer-range key. */
    public long ttlMillis(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return ttlMillis(key(key, keyOffset, keyLength));
    }

    // ----------------------------------------------------------------------------------------------
    // Zero-copy reads and atomic updates
    // ----------------------------------------------------------------------------------------------

    /**
     * Reads the value in place, without copying it; see {@link ValueReader} for what the view
     * allows. Counts a hit or a miss and refreshes recency, like {@code get}; runs under the
     * segment's lock. A large value is first copied from its chunks into a new array, and the
     * reader gets a view of that copy, under no lock.
     *
     * @return what {@code reader} returned, or null when absent or expired (then it is not called)
     */
    public <R> R read(final byte[] key, final ValueReader<R> reader)
    {
        return read(key(key), reader);
    }

    /** {@link #read(byte[], ValueReader)} for a {@code long} key. */
    public <R> R read(final long key, final ValueReader<R> reader)
    {
        return read(key(key), reader);
    }

    /** {@link #read(byte[], ValueReader)} for a buffer-range key. */
    public <R> R read(final DirectBuffer key, final int keyOffset, final int keyLength, final ValueReader<R> reader)
    {
        return read(key(key, keyOffset, keyLength), reader);
    }

    /**
     * Atomically updates one key under its segment's lock (freecache's Update, OHC's addOrReplace).
     * {@code remapping} gets a copy of the current value, or null when absent, and returns the new
     * value; null removes the entry; a value with the same bytes as the current one keeps the entry
     * untouched (its time to live too). It must not call the cache (see Callbacks above). A new value
     * gets the default time to live. A new entry above {@link #maxInlineEntrySize()} is refused like a
     * {@code put} of an entry too large: the entry is unchanged, {@link CacheStats#rejectionCount()}
     * counts it, and the result is the current value. A key holding a large value is refused the
     * same way, without calling {@code remapping}.
     *
     * @return the value the key has afterwards: the array {@code remapping} returned when it was
     *     stored, a copy of the current value when it was refused as too large, or null
     */
    public byte[] compute(final byte[] key, final UnaryOperator<byte[]> remapping)
    {
        return compute(key(key), remapping, defaultTtlMillis);
    }

    /** {@link #compute(byte[], UnaryOperator)} giving a new value {@code ttl} to live. */
    public byte[] compute(final byte[] key, final UnaryOperator<byte[]> remapping, final Duration ttl)
    {
        return compute(key(key), remapping, ttlMillisOf(ttl));
    }

    /** {@link #compute(byte[], UnaryOperator)} for a {@code long} key. */
    public byte[] compute(final long key, final UnaryOperator<byte[]> remapping)
    {
        return compute(key(key), remapping, defaultTtlMillis);
    }

    /** {@link #compute(byte[], UnaryOperator, Duration)} for a {@code long} key. */
    public byte[] compute(final long key, final UnaryOperator<byte[]> remapping, final Duration ttl)
    {
        return compute(key(key), remapping, ttlMillisOf(ttl));
    }

    /** {@link #compute(byte[], UnaryOperator)} for a buffer-range key. */
    public byte[] compute(
        final DirectBuffer key, final int keyOffset, final int keyLength, final UnaryOperator<byte[]> remapping)
    {
        return compute(key(key, keyOffset, keyLength), remapping, defaultTtlMillis);
    }

    /** {@link #compute(byte[], UnaryOperator, Duration)} for a buffer-range key. */
    public byte[] compute(
        final DirectBuffer key, final int keyOffset, final int keyLength, final UnaryOperator<byte[]> remapping,
        final Duration ttl)
    {
        return compute(key(key, keyOffset, keyLength), remapping, ttlMillisOf(ttl));
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

    // ----------------------------------------------------------------------------------------------
    // Keyed operations: the adapters above and the typed cache end here
    // ----------------------------------------------------------------------------------------------

    /**
     * @return this thread's key holder, holding {@code key}. Refuses a caller inside one of the
     *     cache's callbacks first, so that it never overwrites the key of the operation running it.
     */
    private KeyRef key(final byte[] key)
    {
        requireNonNull(key, "key");
        guard.checkCaller();
        return keys.get().set(key, 0, key.length, hasher);
    }

    private KeyRef key(final long key)
    {
        guard.checkCaller();
        return keys.get().set(key, hasher);
    }

    KeyRef key(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkRange(key, "key", keyOffset, keyLength);
        guard.checkCaller();
        return keys.get().set(key, keyOffset, keyLength, hasher);
    }

    private boolean put(final KeyRef key, final byte[] value, final long ttlMillis, final PutMode mode)
    {
        requireNonNull(value, "value");
        return store(key, value, 0, value.length, ttlMillis, mode);
    }

    private boolean put(
        final KeyRef key, final DirectBuffer value, final int valueOffset, final int valueLength,
        final long ttlMillis, final PutMode mode)
    {
        checkRange(value, "value", valueOffset, valueLength);
        return store(key, value, valueOffset, valueLength, ttlMillis, mode);
    }

    /** @param value a {@code byte[]}, a {@link DirectBuffer} or a {@code ValueEncoder} */
    boolean store(
        final KeyRef key, final Object value, final int valueOffset, final int valueLength,
        final long ttlMillis, final PutMode mode)
    {
        return large.put(key, value, valueOffset, valueLength, ttlMillis, mode);
    }

    private byte[] get(final KeyRef key, final boolean record)
    {
        return large.get(key, record);
    }

    private int get(final KeyRef key, final byte[] dst, final boolean record)
    {
        requireNonNull(dst, "dst");
        return large.get(key, dst, 0, dst.length, record);
    }

    private int get(final KeyRef key, final MutableDirectBuffer dst, final int dstOffset, final boolean record)
    {
        final int room = room(dst, dstOffset);
        return large.get(key, dst, dstOffset, room, record);
    }

    boolean remove(final KeyRef key)
    {
        return large.remove(key);
    }

    boolean containsKey(final KeyRef key)
    {
        return large.contains(key);
    }

    boolean touch(final KeyRef key, final long ttlMillis)
    {
        return large.touch(key, ttlMillis);
    }

    long ttlMillis(final KeyRef key)
    {
        return large.ttlMillis(key);
    }

    <R> R read(final KeyRef key, final ValueReader<R> reader)
    {
        requireNonNull(reader, "reader");
        return large.read(key, reader);
    }

    /**
     * @return 1 when the key now has a value, 0 when it has none, -1 when the new value was refused
     *     as too large, {@link Segment#COMPUTE_REFUSED_LARGE} when the key holds a large value
     */
    int remap(final KeyRef key, final Remapper remapper, final long ttlMillis)
    {
        return large.compute(key, remapper, ttlMillis);
    }

    /** @return a copy of the value, or null; counts nothing (for a refused compute) */
    byte[] peek(final KeyRef key)
    {
        return large.get(key, false);
    }

    private byte[] compute(final KeyRef key, final UnaryOperator<byte[]> remapping, final long ttlMillis)
    {
        requireNonNull(remapping, "remapping");
        return ByteCompute.compute(large, segment(key), key, remapping, ttlMillis);
    }

    /** A peek for iteration: the value and, in {@code ttlOut[0]}, its remaining time to live. */
    byte[] peekEntry(final byte[] key, final long[] ttlOut)
    {
        return large.peekEntry(key(key), ttlOut);
    }

    private Segment segment(final KeyRef key)
    {
        return segmentFor(key.hash());
    }

    // ----------------------------------------------------------------------------------------------
    // Loads (recorded by the typed cache's loaders)
    // ----------------------------------------------------------------------------------------------

    void recordLoad(final boolean success, final long nanos)
    {
        counters.recordLoad(success, nanos);
    }

    KeyHasher hasher()
    {
        return hasher;
    }

    CallbackGuard guard()
    {
        return guard;
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
        return counters.snapshot();
    }

    /** @return the live entry count (expired entries not yet noticed included). */
    public long size()
    {
        return stats().entryCount();
    }

    /**
     * @return the largest key length + value length accepted: about half the capacity (see
     *     "Large values" above)
     */
    public int maxEntrySize()
    {
        return large.maxEntrySize();
    }

    /**
     * @return the largest key length + value length stored in a single record (a quarter of a
     *     segment's ring, minus a 24-byte header); a larger value is stored as a large value, in
     *     chunks, and {@code compute} refuses it
     */
    public int maxInlineEntrySize()
    {
        return large.maxInlineEntrySize();
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
        // Every close shuts the gate first, before any call can see the cache closed and before it
        // returns: a lock-free read that starts after another call was refused, or after any
        // close() returned, must be refused too, not answer from memory still there (Lincheck
        // found both orders). Later readers take the locked path, which refuses them.
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
            ", maxEntrySize=" + large.maxEntrySize() + ", hashFunction=" + hasher + (guard.isClosed() ? ", closed" :
                "") + "}";
    }

    // ----------------------------------------------------------------------------------------------
    // Snapshots (warm restart)
    // ----------------------------------------------------------------------------------------------

    /**
     * Saves the live entries to {@code file} while the cache keeps serving: one segment at a time,
     * whose lock is held only while its live records are copied to a staging buffer (the longest
     * such pause is in the result). The file is written beside {@code file} under a temporary name,
     * forced to disk and renamed over {@code file} atomically, so {@code file} always holds a
     * complete snapshot, the old one or the new one, even if the process dies during the save.
     * Expire-at times are saved as wall-clock times, so time to live keeps counting while the
     * process is down. The format is in docs/snapshot-format.md; a cache built with
     * {@link OffHeapCacheBuilder#loadSnapshot(Path)} loads it.
     *
     * <p>The snapshot is consistent per segment, not across segments: writes during the save may or
     * may not be in it. Keys are saved, not their hashes: the loading cache hashes them with its own
     * key; the hash key is never written.
     *
     * @param file where to save; its directory must exist
     * @return what was written
     * @throws IOException naming the file and the cause (disk full, permission denied, ...); the
     *     previous file is then unchanged and no temporary file is left
     * @throws IllegalStateException when the cache is closed, or when called from one of its callbacks
     */
    public SnapshotSave save(final Path file) throws IOException
    {
        requireNonNull(file, "file");
        guard.checkCaller();
        return Snapshots.save(segments, capacity, hasher.function(), wallClock, file, snapshotChannelHook);
    }

    /**
     * @return what {@link OffHeapCacheBuilder#loadSnapshot(Path)} loaded when this cache was built,
     *     or null when it was built without a snapshot
     */
    public SnapshotLoad snapshotLoad()
    {
        return snapshotLoad;
    }

    /** For tests: opens the channel a save writes to. */
    static volatile SnapshotWriter.ChannelOpener snapshotChannelHook = SnapshotWriter.FILES;

    /** Loads a snapshot into this new cache, for the builder; an absent file loads nothing. */
    SnapshotLoad loadSnapshot(final Path file) throws IOException
    {
        final SnapshotLoad load = Snapshots.load(this, large, file, wallClock);
        snapshotLoad = load;
        return load;
    }

    /** For tests: the wall clock of snapshot expire-at times, in ms since 1970. */
    void wallClock(final java.util.function.LongSupplier clock)
    {
        this.wallClock = requireNonNull(clock, "wallClock");
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

    /** For tests: bytes of value per chunk of a large value written by this cache. */
    int chunkLength()
    {
        return large.chunkLength();
    }

    Segment[] segments()
    {
        return segments;
    }

    /** For tests: the segment a key of this hash lives in. */
    Segment segmentFor(final long hash)
    {
        return segments[(int)hash & segmentMask];
    }

    /** For tests: the bytes of value per chunk of a large value. */
    int largeValueChunkLength()
    {
        return large.chunkLength();
    }

    /** For tests: the live chunk records of large values, in every segment. */
    long liveChunkCount()
    {
        long chunks = 0;
        for (final Segment segment : segments)
        {
            chunks += segment.liveChunks();
        }
        return chunks;
    }

    /** For tests: off-heap bytes allocated and not yet freed; 0 once close() has freed them. */
    long unfreedBytes()
    {
        return allocator.allocatedBytes();
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
