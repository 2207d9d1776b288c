package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the segments of one cache share for the {@link AdaptivePolicy}: the frequency sketch, the
 * {@link WindowShadows} that choose the window's share, and that share.
 *
 * <h2>Hashes</h2>
 * A record keeps the high 32 bits of its key's keyed hash (its tag, {@link EntryDescriptor}); the
 * policy meets records at queue heads, where that is all it has, so the sketch and the shadows are
 * indexed by {@link #spread} of the tag. The tag comes from the cache's secret SipHash key, so
 * nobody can choose keys that share counters or sampling (issue 14).
 *
 * <h2>Concurrency</h2>
 * Segments call in under their own locks, and readers draining a full buffer under none. The
 * sketch is one table for the whole cache (as Caffeine's): increments from two threads at once
 * may lose one of them, and a halving may race an increment; both only make a count a little off,
 * and every access stays inside the table ({@link #count} takes no lock). The shadows run under
 * their own lock ({@link #lock}, a flag set by compare-and-set, so taking it allocates nothing),
 * which only the insertions of sampled keys and the drains that hold a sampled hit take: a writer
 * waits for it, a lock-free reader only tries it ({@link #tryLock}) and counts its buffer in the
 * sketch alone when it is taken.
 */
public final class AdaptiveShared
{
    /** The share of a segment's entries the window starts with. */
    static final double INITIAL_WINDOW_SHARE = 0.01;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    /** Longs of array before and after the read path's thresholds (two cache lines). */
    private static final int PAD = 16;
    /** Index in {@link #thresholds()} of the threshold under which a hit is replayed on the shadows. */
    static final int REPLAY = PAD;
    /**
     * Index in {@link #thresholds()} of the sketch counts a segment reports at once ({@link #added}):
     * 1 to 64, at most a 1024th of the sketch's aging sample over all segments, so that aging is late
     * by less than 0.1%.
     */
    static final int ADDITION_BATCH = PAD + 1;
    /** Spins on a taken shadow lock before each yield. */
    private static final int SPINS = 64;
    private static final VarHandle LOCKED;

    static
    {
        try
        {
            LOCKED = MethodHandles.lookup().findVarHandle(AdaptiveShared.class, "locked", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final FrequencySketch sketch;
    private final WindowShadows shadows;
    private final int segments;
    private final long seed;
    /** A copy of the shadows' sample threshold, for insertions and drains; written under the shadows' lock. */
    private long sampleThreshold;
    /**
     * The read path's sample threshold, at {@link #REPLAY} in an array of its own so that no write
     * of a drain (the lock, the share) shares a cache line with what every hit reads:
     * {@link #sampleThreshold} once the shadows are {@link WindowShadows#full() full}, and 0
     * before. Until then a sampled hit is a hit in every shadow, which tells the shadows nothing
     * (their scores and decision period start at the fill), so a cache its working set fits in
     * neither replays nor counts anything on reads. Written under the shadows' lock.
     */
    private final long[] thresholds = new long[REPLAY + 2 * PAD];
    private volatile double windowShare = INITIAL_WINDOW_SHARE;
    private int shadowCapacity;
    /** Coins seeded so far ({@link #coinSeed}); segments are built by one thread. */
    private int coins;
    /** True once a segment has reported what it holds ({@link #segmentHolds}). */
    private boolean measured;
    /** 1 while a thread holds the shadows' lock; written through {@link #LOCKED}. */
    @SuppressWarnings("unused")
    private volatile int locked;

    /**
     * @param sketch   the cache's frequency sketch
     * @param segments the cache's segment count
     * @param entries  the entries the cache is expected to hold, to size the shadows until it is full
     * @param seed     seeds the shadows' and the segments' admission coins
     */
    AdaptiveShared(final FrequencySketch sketch, final int segments, final int entries, final long seed)
    {
        this.sketch = sketch;
        this.segments = segments;
        this.seed = seed;
        this.shadowCapacity = Math.max(1, entries);
        this.shadows = new WindowShadows(shadowCapacity, sketch::frequency, seed);
        thresholdsChanged();
    }

    /** @return the 64-bit hash the sketch and the shadows use for a record of this tag */
    static long spread(final int tag)
    {
        final long hash = (tag & 0xFFFF_FFFFL) * GOLDEN;
        return hash ^ hash >>> 29;
    }

    /**
     * Creates the shared state of a cache whose sketch lives in {@code sketchMemory}.
     *
     * @param sketchMemory {@link #sketchBytes(int)} bytes
     * @param entries      the entries the cache is expected to hold
     * @param segments     the cache's segment count
     * @param seed         seeds the shadows' and the segments' admission coins
     * @return the state to hand to each of the cache's segments
     */
    public static AdaptiveShared create(final Memory sketchMemory, final int entries, final int segments,
        final long seed)
    {
        // the builder may have halved the sketch to fit a small capacity: count for the words it got
        final int sketchEntries = Math.min(entries, sketchMemory.capacity() / Long.BYTES);
        return new AdaptiveShared(new FrequencySketch(sketchMemory, sketchEntries), segments, entries, seed);
    }

    /** @return the bytes of the frequency sketch of a cache expected to hold {@code entries} entries */
    public static int sketchBytes(final int entries)
    {
        return FrequencySketch.bytesFor(entries);
    }

    /** @return the share of its entries each segment's window holds, 0.01 to 1 */
    public double windowShare()
    {
        return windowShare;
    }

    /** @return the sketch's estimate of how often {@code hash} was counted, 0 to 15 */
    int frequency(final long hash)
    {
        return sketch.frequency(hash);
    }

    /** Starts loading the sketch line of this hash ({@link FrequencySketch#touch}); returns the word read. */
    long touch(final long hash)
    {
        return sketch.touch(hash);
    }

    /** @return true when accesses of this hash feed the shadows: the shadows' own test, on a copy of their threshold */
    boolean sampled(final long hash)
    {
        return sampleMix(hash) < sampleThreshold;
    }

    /** @return what the shadows compare with their threshold to sample a hash ({@link WindowShadows#sampled}) */
    static long sampleMix(final long hash)
    {
        return (hash * WindowShadows.SAMPLE_MIX) >>> (Long.SIZE - WindowShadows.SAMPLE_BITS);
    }

    /**
     * @return the array of the read path's threshold, at {@link #REPLAY}, and of
     *     {@link #ADDITION_BATCH} (segments keep it, so that a hit reaches it in one step)
     */
    long[] thresholds()
    {
        return thresholds;
    }

    private long additionBatch()
    {
        return Math.max(1, Math.min(64, sketch.sampleSize() / (1024L * segments)));
    }

    /** Copies the shadows' thresholds after they changed or filled. Under the shadows' lock. */
    private void thresholdsChanged()
    {
        sampleThreshold = shadows.sampleThreshold();
        thresholds[ADDITION_BATCH] = additionBatch();
        thresholds[REPLAY] = shadows.full() ? sampleThreshold : 0;
    }

    /**
     * Publishes what the shadows' last accesses changed: the read path's replay threshold once they
     * are full, and the window share (written only when it changed, so that its readers keep their copy). Locked.
     */
    private void afterShadows()
    {
        if (thresholds[REPLAY] == 0 && shadows.full())
        {
            thresholdsChanged();
        }
        final double share = shadows.windowShare();
        if (share != windowShare)
        {
            windowShare = share;
        }
    }

    /**
     * Counts one access of a key: in the sketch when {@code count}, and in the shadows when it is
     * sampled (taking their lock).
     *
     * @return true when a sketch counter grew: the caller reports it ({@link #added})
     */
    boolean access(final long hash, final boolean count)
    {
        if (!sampled(hash))
        {
            return count && sketch.add(hash);
        }
        lock();
        try
        {
            return accessLocked(hash, count);
        }
        finally
        {
            unlock();
        }
    }

    /** {@link #access} for a caller that holds the shadows' lock. */
    boolean accessLocked(final long hash, final boolean count)
    {
        final boolean added = count && sketch.add(hash);
        if (sampled(hash))
        {
            feedShadows(hash);
        }
        return added;
    }

    /**
     * Counts an access in the sketch, with no lock: racing increments only make a count a little off.
     *
     * @return true when a counter grew: the caller reports it ({@link #added})
     */
    boolean count(final long hash)
    {
        return sketch.add(hash);
    }

    /**
     * Reports sketch counts that grew toward the sketch's next aging; segments report in batches of
     * {@link #thresholds()}[{@link #ADDITION_BATCH}], so that threads counting at once seldom write
     * the one field they share.
     */
    void added(final int count)
    {
        sketch.added(count);
    }

    /** Replays an access of {@code hash} on the shadows. Locked. */
    private void feedShadows(final long hash)
    {
        try
        {
            shadows.access(hash);
        }
        catch (final RuntimeException ex)
        {
            // the shadows only advise the window's share: a fault in them must never fail a read
            // or a write; they start again, empty, and the share stays where it is
            shadows.rebuild();
            thresholdsChanged();
        }
        afterShadows();
    }

    /** @return true when the shadows' lock was free and the caller now holds it */
    boolean tryLock()
    {
        return LOCKED.compareAndSet(this, 0, 1);
    }

    /**
     * Takes the shadows' lock, spinning and then yielding while another thread holds it (briefly: one drain).
     *
     * @return true, so that a caller may write {@code writer ? lock() : tryLock()}
     */
    boolean lock()
    {
        int spins = 0;
        while (!tryLock())
        {
            if (++spins % SPINS == 0)
            {
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        return true;
    }

    /** Releases the shadows' lock. */
    void unlock()
    {
        LOCKED.setRelease(this, 0);
    }

    /**
     * Tells the shadows how many entries a segment holds when full, so they model a cache of that
     * size. The first report replaces the builder's estimate whatever it says (that estimate can be
     * a fifth off, and shadows a fifth larger than the cache choose shares for another cache: -3
     * points on the phases trace at 4,000 entries); later ones rebuild the shadows only beyond
     * {@link WindowShadows#RESIZE_TOLERANCE}.
     */
    void segmentHolds(final int holds)
    {
        final long total = Math.min(Integer.MAX_VALUE, (long)holds * segments);
        sketch.sampleFor((int)total);
        thresholds[ADDITION_BATCH] = additionBatch();
        final boolean first = !measured && total != shadowCapacity;
        if (first || total > shadowCapacity * 5L / 4 || total < shadowCapacity * 3L / 4)
        {
            lock();
            try
            {
                shadowCapacity = (int)total;
                sketch.fitTo(shadowCapacity);
                if (first)
                {
                    shadows.rebuild(shadowCapacity);
                    thresholdsChanged();
                }
                else
                {
                    shadows.resize(shadowCapacity);
                    thresholdsChanged();
                }
                windowShare = shadows.windowShare();
            }
            finally
            {
                unlock();
            }
        }
        measured = true;
    }

    /**
     * @return a seed for the next segment's admission coin (never 0, as xorshift needs): from the
     *     cache's seed and the segment's rank, so that a cache built with a given hash seed makes
     *     the same decisions on the same accesses, and no two segments toss alike
     */
    long coinSeed()
    {
        final long mixed = (seed + ++coins) * GOLDEN;
        return mixed == 0 ? GOLDEN : mixed;
    }

    /** @return off-heap bytes of the sketch */
    public long sketchBytes()
    {
        return sketch.bytes();
    }

    /** Makes the cache follow the shadow at {@code shadow} from now on ({@link WindowShadows#follow}; for tests). */
    void follow(final int shadow)
    {
        lock();
        try
        {
            shadows.follow(shadow);
            windowShare = shadows.windowShare();
        }
        finally
        {
            unlock();
        }
    }

    /** @return heap bytes of the shadows (bounded: at most 4,096 sampled entries per shadow) */
    long shadowBytes()
    {
        lock();
        try
        {
            return shadows.bytes();
        }
        finally
        {
            unlock();
        }
    }

    /** Forgets every count, for a cleared cache. */
    void clearSketch()
    {
        sketch.clear();
    }
}
