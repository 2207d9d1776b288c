package dev.larder;

import static java.util.Objects.requireNonNull;

import dev.larder.internal.AdaptiveShared;
import dev.larder.internal.CallbackGuard;
import dev.larder.internal.EntryDescriptor;
import dev.larder.internal.IndexDescriptor;
import dev.larder.internal.KeyHasher;
import dev.larder.internal.LargeValues;
import dev.larder.internal.Memories;
import dev.larder.internal.Memory;
import dev.larder.internal.MemoryKind;
import dev.larder.internal.MillisClock;
import dev.larder.internal.OffHeapAllocator;
import dev.larder.internal.ReadGate;
import dev.larder.internal.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Configures and builds an {@link OffHeapCache}. Each setter validates its argument at once; rules
 * that involve several options are checked by {@link #build()}. Messages state the rule, then the
 * values.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@link #capacity(long)}</td><td>off-heap bytes for everything: rings, indexes
 *       and headers. At least 4096 bytes per segment, at most 2147483640 per segment.</td>
 *       <td>required</td></tr>
 *   <tr><td>{@link #segments(int)}</td><td>lock stripes; a power of two from 1 to 65536</td>
 *       <td>256</td></tr>
 *   <tr><td>{@link #expectedEntrySize(int)}</td><td>typical key + value bytes; sizes the index
 *       so that it fills about when the ring does</td><td>100</td></tr>
 *   <tr><td>{@link #defaultTtl(Duration)}</td><td>time to live of entries put without one;
 *       1 ms to {@link OffHeapCache#MAX_TTL}</td><td>no expiry</td></tr>
 *   <tr><td>{@link #ticker(Ticker)}</td><td>time source for expiry; a ticker other than the
 *       system's is guarded like any callback (it must not call the cache)</td>
 *       <td>{@link Ticker#systemTicker()}</td></tr>
 *   <tr><td>{@link #hashFunction(HashFunction)}</td><td>the key hash; see {@link HashFunction}</td>
 *       <td>{@link HashFunction#SIPHASH_1_3}, keyed per cache from a {@code SecureRandom}</td></tr>
 *   <tr><td>{@link #hashSeed(long)}</td><td>fixes the hash key, for reproducible tests and
 *       benchmarks only</td><td>none: a random key per cache, so nobody can compute colliding keys</td></tr>
 *   <tr><td>{@link #memoryBackend(MemoryBackend)}</td><td>how memory is accessed</td>
 *       <td>{@link MemoryBackend#AUTO}</td></tr>
 *   <tr><td>{@link #eviction(EvictionMode)}</td><td>what a full cache evicts</td>
 *       <td>{@link EvictionMode#ADAPTIVE}</td></tr>
 *   <tr><td>{@link #removalListener(RemovalListener)}</td><td>told of every removal and its cause</td>
 *       <td>none</td></tr>
 *   <tr><td>{@link #loadSnapshot(Path)}</td><td>a snapshot file ({@link OffHeapCache#save(Path)}) to
 *       load when building, if it exists: warm restart</td><td>none: the cache starts empty</td></tr>
 * </table>
 *
 * <h2>Memory budget</h2>
 * Each segment gets {@code capacity / segments} bytes, split between its index (8-byte slots, kept
 * at most 75% full) and its ring. The split assumes entries of {@code expectedEntrySize} bytes plus
 * the 24-byte header. Nothing grows afterwards: when the index or the ring is full, the segment
 * evicts. With {@link EvictionMode#ADAPTIVE} the frequency sketch (8 to 16 bytes per expected entry)
 * comes out of the capacity first. {@link CacheStats#allocatedBytes()} is never above the capacity.
 */
public final class OffHeapCacheBuilder
{
    /** Smallest budget per segment. */
    public static final int MIN_SEGMENT_BYTES = 4096;
    /** Largest budget per segment (one direct buffer holds a segment's ring and index). */
    public static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE & -EntryDescriptor.ALIGNMENT;
    /** Most segments. */
    public static final int MAX_SEGMENTS = 1 << 16;
    /** Default segment count. */
    public static final int DEFAULT_SEGMENTS = 256;
    /** Default expected key + value size. */
    public static final int DEFAULT_EXPECTED_ENTRY_SIZE = 100;
    /**
     * The smallest ring of a segment that runs {@link EvictionMode#ADAPTIVE}: 16 pages of 256 bytes;
     * a cache whose segments are smaller runs {@link EvictionMode#SECOND_CHANCE}.
     */
    static final int MIN_ADAPTIVE_RING_BYTES = 4096;
    /** The frequency sketch takes at most this fraction of the capacity (1 / value). */
    static final int MAX_SKETCH_SHARE = 4;

    private long capacity = -1;
    private int segments = DEFAULT_SEGMENTS;
    private int expectedEntrySize = DEFAULT_EXPECTED_ENTRY_SIZE;
    private long defaultTtlMillis;
    private Ticker ticker = Ticker.systemTicker();
    private HashFunction hashFunction = HashFunction.SIPHASH_1_3;
    private Long hashSeed;
    private MemoryBackend memoryBackend = MemoryBackend.AUTO;
    private EvictionMode eviction = EvictionMode.ADAPTIVE;
    private RemovalListener removalListener;
    private Path snapshot;
    private java.util.function.LongSupplier wallClock;

    OffHeapCacheBuilder()
    {
    }

    /**
     * @param bytes total off-heap bytes; rings, indexes and entry headers all count against it
     * @return this builder
     */
    public OffHeapCacheBuilder capacity(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("capacity must be positive: capacity=" + bytes);
        }
        this.capacity = bytes;
        return this;
    }

    /**
     * @param count lock stripes: a power of two from 1 to 65536
     * @return this builder
     */
    public OffHeapCacheBuilder segments(final int count)
    {
        if (count <= 0 || Integer.bitCount(count) != 1)
        {
            throw new IllegalArgumentException("segments must be a power of two: segments=" + count);
        }
        if (count > MAX_SEGMENTS)
        {
            throw new IllegalArgumentException("segments must be at most " + MAX_SEGMENTS + ": segments=" + count);
        }
        this.segments = count;
        return this;
    }

    /**
     * @param bytes typical key length + value length, used to size the index; positive
     * @return this builder
     */
    public OffHeapCacheBuilder expectedEntrySize(final int bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("expectedEntrySize must be positive: expectedEntrySize=" + bytes);
        }
        this.expectedEntrySize = bytes;
        return this;
    }

    /**
     * @param ttl time to live of entries put without one: 1 ms to {@link OffHeapCache#MAX_TTL}
     * @return this builder
     */
    public OffHeapCacheBuilder defaultTtl(final Duration ttl)
    {
        requireNonNull(ttl, "defaultTtl");
        this.defaultTtlMillis = OffHeapCache.ttlMillisOf(ttl);
        return this;
    }

    /**
     * @param ticker time source for expiry, in nanoseconds
     * @return this builder
     */
    public OffHeapCacheBuilder ticker(final Ticker ticker)
    {
        this.ticker = requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * @param function the key hash; {@link HashFunction#SIPHASH_1_3} unless keys can never come
     *                 from an attacker (see {@link HashFunction#FAST_TRUSTED_KEYS})
     * @return this builder
     */
    public OffHeapCacheBuilder hashFunction(final HashFunction function)
    {
        this.hashFunction = requireNonNull(function, "hashFunction");
        return this;
    }

    /**
     * Derives the hash key from {@code seed} instead of drawing it at random. Anyone who knows the
     * seed can compute keys that collide, so fix it only for reproducible tests or benchmarks.
     *
     * @param seed the seed of the hash key
     * @return this builder
     */
    public OffHeapCacheBuilder hashSeed(final long seed)
    {
        this.hashSeed = seed;
        return this;
    }

    /**
     * @param mode what a full cache evicts: {@link EvictionMode#ADAPTIVE} (frequency-aware, the
     *             default) or {@link EvictionMode#SECOND_CHANCE} (near-LRU, the cheapest writes)
     * @return this builder
     */
    public OffHeapCacheBuilder eviction(final EvictionMode mode)
    {
        this.eviction = requireNonNull(mode, "eviction");
        return this;
    }

    /**
     * @param backend how memory is accessed; {@link MemoryBackend#AUTO} picks Agrona when the JVM
     *                allows it
     * @return this builder
     */
    public OffHeapCacheBuilder memoryBackend(final MemoryBackend backend)
    {
        this.memoryBackend = requireNonNull(backend, "memoryBackend");
        return this;
    }

    /**
     * @param listener told of every entry that leaves the cache, with the cause; see
     *                 {@link RemovalListener} for where it runs ({@link RemovalListener#typed} decodes)
     * @return this builder
     */
    public OffHeapCacheBuilder removalListener(final RemovalListener listener)
    {
        this.removalListener = requireNonNull(listener, "removalListener");
        return this;
    }

    /**
     * Warm restart: {@link #build()} loads the entries saved in {@code file} by
     * {@link OffHeapCache#save(Path)} when the file exists, and builds an empty cache when it does
     * not, so one line serves the first start and every restart ({@link OffHeapCache#snapshotLoad()}
     * tells which happened, and counts what was loaded). The cache may differ from the one saved
     * (capacity, segments, hash function, hash key: every key is hashed anew); entries that do not
     * fit are evicted, oldest first, and counted. Entries whose time to live ended while the
     * process was down are dropped. A file that cannot be loaded (empty, truncated, damaged, foreign,
     * of a newer version) makes {@code build()} throw; nothing of it is loaded.
     *
     * @param file the snapshot file
     * @return this builder
     */
    public OffHeapCacheBuilder loadSnapshot(final Path file)
    {
        this.snapshot = requireNonNull(file, "snapshot file");
        return this;
    }

    /** For tests: the wall clock of snapshot expire-at times, in ms since 1970. */
    OffHeapCacheBuilder wallClock(final java.util.function.LongSupplier clock)
    {
        this.wallClock = requireNonNull(clock, "wallClock");
        return this;
    }

    /**
     * Builds a typed cache over a new byte-level cache: keys and values go through the codecs
     * (see {@link Cache}).
     *
     * @param keyCodec   encodes keys; equal keys must encode to equal bytes
     * @param valueCodec encodes values
     * @return a new typed cache; close it to free its memory
     */
    public <K, V> Cache<K, V> build(final dev.larder.codec.Codec<K> keyCodec,
        final dev.larder.codec.Codec<V> valueCodec)
    {
        requireNonNull(keyCodec, "keyCodec");
        requireNonNull(valueCodec, "valueCodec");
        return new TypedCache<>(build(), keyCodec, valueCodec);
    }

    /**
     * Allocates the off-heap memory and builds the byte-level cache.
     *
     * @return a new cache; close it to free its memory
     * @throws IllegalStateException    when the capacity was not set, or a forced backend is
     *                                  unavailable
     * @throws IllegalArgumentException when the capacity does not suit the segment count, or exceeds
     *                                  the direct memory the JVM allows ({@code -XX:MaxDirectMemorySize})
     * @throws UncheckedIOException     when the {@link #loadSnapshot(Path) snapshot} cannot be loaded: its
     *                                  cause is a {@link SnapshotException} naming the file and the problem,
     *                                  or the {@code IOException} that reading it raised; the cache is freed
     */
    public OffHeapCache build()
    {
        if (capacity < 0)
        {
            throw new IllegalStateException("capacity must be set: call capacity(bytes)");
        }
        final int expectedEntries = (int)Math.min(Integer.MAX_VALUE >> 4,
            (long)segments * Sizing.of(capacity, segments, expectedEntrySize).maxEntries());
        int sketchBytes = eviction == EvictionMode.ADAPTIVE ? sketchBytes(capacity, segments, expectedEntries) : 0;
        Sizing sizing = Sizing.of(capacity, segments, expectedEntrySize, (sketchBytes + segments - 1) / segments);
        if (sizing.ringBytes() < MIN_ADAPTIVE_RING_BYTES)
        {
            // too small to page: the cache runs second chance (documented on EvictionMode.ADAPTIVE)
            sketchBytes = 0;
            sizing = Sizing.of(capacity, segments, expectedEntrySize);
        }
        final boolean adaptive = sketchBytes > 0;
        final MemoryKind kind = chooseBackend(memoryBackend);
        final long totalBytes = (long)segments * sizing.segmentBytes() + sketchBytes;
        OffHeapAllocator.checkAvailable(totalBytes, "a cache of capacity=" + capacity);

        final long origin = ticker.read();
        final Ticker clockTicker = ticker;
        final CallbackGuard guard = new CallbackGuard();
        final MillisClock ticks = () -> Math.max(0, (clockTicker.read() - origin) / 1_000_000L);
        // the system ticker is trusted; any other is user code, read as a guarded callback
        final MillisClock clock = ticker == Ticker.systemTicker() ? ticks : guard.guardedClock(ticks);

        final OffHeapAllocator allocator = OffHeapAllocator.create();
        final Segment[] built = new Segment[segments];
        final ReadGate gate = new ReadGate();
        AdaptiveShared shared = null;
        try
        {
            if (adaptive)
            {
                shared = AdaptiveShared.create(Memories.wrap(kind, allocator.allocate(sketchBytes)), expectedEntries,
                    segments, hashSeed != null ? hashSeed : new SecureRandom().nextLong());
            }
            for (int i = 0; i < segments; i++)
            {
                final ByteBuffer buffer = allocator.allocate(sizing.segmentBytes());
                final Memory index = Memories.wrap(kind, buffer.slice(0, sizing.indexBytes()));
                final Memory ring = Memories.wrap(kind, buffer.slice(sizing.indexBytes(), sizing.ringBytes()));
                built[i] = new Segment(ring, index, clock, removalListener, gate, guard, shared);
            }
        }
        catch (final OutOfMemoryError ex)
        {
            allocator.freeAll();
            throw new IllegalArgumentException("a cache of capacity=" + capacity +
                " needs more off-heap memory than the JVM allows (raise it with -XX:MaxDirectMemorySize): " +
                ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            allocator.freeAll();
            throw ex;
        }
        final KeyHasher hasher = hashSeed != null ? KeyHasher.seeded(hashFunction, hashSeed) :
            KeyHasher.random(hashFunction);
        final LargeValues large = new LargeValues(built, hasher, guard, hashSeed != null);
        final OffHeapCache cache = new OffHeapCache(built, gate, guard, large, hasher, defaultTtlMillis, capacity,
            (long)segments * sizing.indexBytes(), kind, allocator, shared);
        if (wallClock != null)
        {
            cache.wallClock(wallClock);
        }
        if (snapshot != null)
        {
            boolean loaded = false;
            try
            {
                cache.loadSnapshot(snapshot);
                loaded = true;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex.getMessage(), ex);
            }
            finally
            {
                if (!loaded)
                {
                    cache.close(); // nothing of a file that failed is kept, and the memory is freed
                }
            }
        }
        final java.util.function.Consumer<OffHeapCache> hook = OffHeapCache.buildHook;
        if (hook != null)
        {
            hook.accept(cache);
        }
        return cache;
    }

    /**
     * @return the bytes of the frequency sketch: one word per entry the cache is expected to hold,
     *     rounded up to a power of two, halved while it would take more than {@link #MAX_SKETCH_SHARE}
     *     of the capacity. The index's limit over-counts what the ring holds once the sketch and the
     *     pages' slack are taken (by about a third: 4.4M against 2.8M for 8-byte values in 256 MiB),
     *     so three quarters of it are counted: still at least one word per entry held, which the
     *     policy's hit rates need (docs/policy.md), without doubling the sketch in the rounding.
     */
    static int sketchBytes(final long capacity, final int segments, final int expectedEntries)
    {
        int entries = Math.max(1, (int)(expectedEntries * 3L / 4));
        while (entries > 1 && AdaptiveShared.sketchBytes(entries) > capacity / MAX_SKETCH_SHARE)
        {
            entries /= 2;
        }
        return AdaptiveShared.sketchBytes(entries);
    }

    /** @return what the flag must export to: Agrona's module on the module path, ALL-UNNAMED on the class path */
    static String agronaModule()
    {
        final Module agrona = org.agrona.DirectBuffer.class.getModule();
        return agrona.isNamed() ? agrona.getName() : "ALL-UNNAMED";
    }

    private static MemoryKind chooseBackend(final MemoryBackend requested)
    {
        switch (requested)
        {
            case JDK:
                return MemoryKind.JDK;
            case AGRONA:
                if (!Memories.agronaAvailable())
                {
                    throw new IllegalStateException("memory backend AGRONA is not available in this JVM " +
                        "(run with --add-exports java.base/jdk.internal.misc=" + agronaModule() + "): " +
                        Memories.agronaFailure());
                }
                return MemoryKind.AGRONA;
            default:
                return Memories.agronaAvailable() ? MemoryKind.AGRONA : MemoryKind.JDK;
        }
    }

    /**
     * How one segment's budget is split between its index and its ring.
     *
     * @param indexBytes   bytes of index slots
     * @param ringBytes    bytes of ring, a multiple of 8
     */
    record Sizing(int indexBytes, int ringBytes)
    {
        /** @return bytes of one segment's allocation. */
        int segmentBytes()
        {
            return indexBytes + ringBytes;
        }

        /** @return the most entries one segment's index holds */
        int maxEntries()
        {
            return (int)(indexBytes / IndexDescriptor.SLOT_LENGTH * IndexDescriptor.MAX_LOAD_FACTOR);
        }

        static Sizing of(final long capacity, final int segments, final int expectedEntrySize)
        {
            return of(capacity, segments, expectedEntrySize, 0);
        }

        /** @param reserved bytes each segment gives up to the cache's frequency sketch, taken from its ring */
        static Sizing of(final long capacity, final int segments, final int expectedEntrySize, final int reserved)
        {
            final long perSegment = capacity / segments;
            if (perSegment < MIN_SEGMENT_BYTES)
            {
                throw new IllegalArgumentException("capacity must be at least " + MIN_SEGMENT_BYTES +
                    " bytes per segment: capacity=" + capacity + ", segments=" + segments +
                    ", minimum=" + (long)MIN_SEGMENT_BYTES * segments);
            }
            if (perSegment > MAX_SEGMENT_BYTES)
            {
                throw new IllegalArgumentException("capacity per segment must be at most " + MAX_SEGMENT_BYTES +
                    " bytes: capacity=" + capacity + ", segments=" + segments + " (use more segments)");
            }
            final double recordBytes = EntryDescriptor.recordLength(0, expectedEntrySize);
            final double indexBytesPerEntry = IndexDescriptor.SLOT_LENGTH / IndexDescriptor.MAX_LOAD_FACTOR;
            final long entries = Math.max(1, (long)(perSegment / (recordBytes + indexBytesPerEntry)));
            long slots = Math.max(4, (long)Math.ceil(entries / IndexDescriptor.MAX_LOAD_FACTOR));
            // the ring must keep at least half the budget so that entries of any size fit
            slots = Math.min(slots, perSegment / 2 / IndexDescriptor.SLOT_LENGTH);
            final int indexBytes = (int)(slots * IndexDescriptor.SLOT_LENGTH);
            final int ringBytes = (int)((perSegment - indexBytes - reserved) & -EntryDescriptor.ALIGNMENT);
            return new Sizing(indexBytes, ringBytes);
        }
    }
}
