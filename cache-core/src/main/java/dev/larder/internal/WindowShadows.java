package dev.larder.internal;

import java.util.Arrays;

/**
 * Chooses the admission window's share of the capacity, per cache, by replaying a hash-sampled
 * subset of the accesses on six <i>shadows</i>: copies of the policy's bookkeeping (hashes only,
 * no keys or values) at fixed window shares of 1%, 10%, 30%, 60%, 90% and 100%. The cache follows
 * the shadow with the most (decayed) hits once its lead is clear. This is the engine port of the
 * {@code SHADOWS} adaptation of the simulator's {@code RingPolicyModel} (docs/policy.md), rule for
 * rule; only the admission coin differs (a seeded xorshift here, the model's shared
 * {@code SplittableRandom} there).
 *
 * <h2>Sampling</h2>
 * A key is sampled when the top 24 bits of its keyed hash times {@link #SAMPLE_MIX} fall below a
 * threshold set so that about {@link #MAX_SAMPLED} of the cache's entries are sampled: all of
 * them in a cache of at most 4,096 entries. Each shadow holds that many entries
 * ({@code shadowCapacity}); a remix of the hash, so that the sample favours no segment (hash bits
 * 58-63) and no sketch block.
 *
 * <h2>Each shadow</h2>
 * A {@link ShadowPolicy}: the policy of docs/policy.md on hashes: a window CLOCK, and a main region of probation and
 * protected (at most 80% of the main region) rings; an unread window head is a candidate that
 * replaces the probation victim when its frequency ({@link FrequencySource}, the cache's own
 * sketches: the shadows count nothing) is higher, or, when it is at least 6, with probability
 * 1/128; protected heads read within the last 6 epochs (16 epochs, one per capacity/8 insertions)
 * go round again. A shadow's hits on each sampled access add to its score.
 *
 * <h2>Deciding</h2>
 * The scores start from zero when the shadows fill: until then every shadow held every sampled key,
 * so their scores were equal and would only have widened the noise a lead must beat (the phases
 * trace at 4,000 entries waited two decision periods longer in its first fill at a 1% window: -1.29
 * points against LRU with them, -0.73 without). Four times per turnover of a shadow ({@code max(16,
 * shadowCapacity / 4)} sampled accesses) the best-scoring shadow is compared with the followed one:
 * when it leads by more than 2 standard deviations (Poisson: 2 × sqrt of the two scores' sum) at
 * two decisions in a row, the cache follows it. For the first three turnovers after the shadows
 * fill (while they <i>settle</i>), a lead must hold at four decisions in a row, a whole turnover:
 * young scores hold less than a turnover of history, and a share that leads for half a turnover
 * there is often a warm-up transient (cs and multi1 at 1,000 entries: some hash seeds followed a
 * 60% window for it and lost 5 to 9 points). While they settle, the shadow that first led only has
 * to keep a clear lead, not stay the best, and the cache then follows the best: near-equal shares
 * (60%, 90% and 100% on a recency phase) take turns at the top, and demanding one of them four
 * times in a row put the first switch on the phases trace at 4,000 entries 3,500 accesses later
 * (-2.54 points against LRU, -1.82 with this rule). After each decision every score is multiplied by 2^(-1/48)
 * (a half-life of 12 turnovers). Deciding once per turnover, as Caffeine's climber samples,
 * followed a switch of phase 8 turnovers late (the phases trace at 4,000 entries: -4.8 points
 * against LRU, -2.5 with four decisions); a shorter half-life follows zigzags back and forth (-3 to
 * -12 points on zigzag).
 *
 * <h2>Layout</h2>
 * Per shadow ({@link ShadowPolicy}), primitive arrays sized once for {@code shadowCapacity + 1} entries: the hashes, a
 * mark byte per entry (R bit and 4-bit epoch, as the index slot), one {@code int} link per entry
 * that chains each ring's FIFO and the free list (a ring is a head, a tail and a size), and an
 * open-addressing table of entry ids (linear probing, deletion by backward shift, no tombstones)
 * keyed by the hash. The arrays are bounded by {@link #MAX_SAMPLED}, not by the cache's size, so
 * they live on the heap; {@link #access} allocates nothing. {@link #bytes()} counts them.
 *
 * <h2>Resizing</h2>
 * The engine estimates its capacity in entries from bytes, so it changes as entry sizes do.
 * {@link #resize} ignores a change of at most 25% of the capacity the shadows were built for (the
 * sample and the shadow capacity barely move, and rebuilding throws away what the shadows
 * learned); a larger change rebuilds them empty for the new capacity, keeping the followed share,
 * and reuses the arrays when they are large enough.
 *
 * <h2>Concurrency</h2>
 * Not thread-safe: {@link #access} and {@link #resize} run under one lock the caller holds (the
 * engine feeds the shadows from its drains). {@link #sampled} and {@link #windowShare} may be called
 * without it: they read one volatile field each and a stale answer only samples a key once more or
 * less, or sizes one window by the previous share.
 */
final class WindowShadows
{
    /** Window shares the shadows try; the cache starts at the first. */
    static final double[] FRACTIONS = {0.01, 0.1, 0.3, 0.6, 0.9, 1.0};
    /** Most entries per shadow: sets the sampling rate. */
    static final int MAX_SAMPLED = 4096;
    /** Bits of the remixed hash that decide sampling. */
    static final int SAMPLE_BITS = 24;
    /** Odd constant that remixes the hash before sampling. */
    static final long SAMPLE_MIX = 0x9E37_79B9_7F4A_7C15L;
    /** Half-life of the scores, in turnovers of a shadow (shadow-capacity sampled accesses). */
    static final int HALF_LIFE = 12;
    /** Lead, in standard deviations, that a shadow needs at {@link #CONFIRMATIONS} decisions in a row. */
    static final double CONFIDENCE = 2.0;
    /** Decisions in a row at which a shadow must lead clearly before the cache follows it. */
    static final int CONFIRMATIONS = 2;
    /** Turnovers of a shadow, from when the shadows fill, during which a lead needs {@link #YOUNG_CONFIRMATIONS}. */
    static final int YOUNG_TURNOVERS = 3;
    /** Decisions in a row a lead needs while the shadows are young: a whole turnover. */
    static final int YOUNG_CONFIRMATIONS = 4;
    /** Fewest sampled accesses between two decisions. */
    static final int MIN_PERIOD = 16;
    /** Change of capacity, as a share of the current one, that {@link #resize} ignores. */
    static final double RESIZE_TOLERANCE = 0.25;

    /** Decisions per turnover of a shadow. */
    static final int DECISIONS_PER_TURNOVER = 4;
    private static final double DECAY = Math.pow(0.5, 1.0 / (HALF_LIFE * DECISIONS_PER_TURNOVER));


    private final FrequencySource frequencies;
    private final ShadowPolicy[] shadows = new ShadowPolicy[FRACTIONS.length];
    private final double[] scores = new double[FRACTIONS.length];
    private long coin;
    private long coinFlips;
    private int capacity;
    private int shadowCapacity;
    private int decisionPeriod;
    private volatile long sampleThreshold;
    private volatile double windowShare;
    private int shadowAccesses;
    private int followed;
    /** The shadow that led clearly at the last decision, -1 if none. */
    private int pending = -1;
    /** True once a shadow has had to make room since the last build. */
    private boolean full;
    /** Clear leads of {@link #pending} at the decisions in a row so far. */
    private int pendingRuns;
    /** Sampled accesses counted since the shadows became full, up to {@link #YOUNG_TURNOVERS} turnovers. */
    private long fullAccesses;

    /**
     * @param capacityEntries the entries the cache holds, at least 1
     * @param frequencies     the cache's sketches
     * @param seed            seed of the admission coin
     */
    WindowShadows(final int capacityEntries, final FrequencySource frequencies, final long seed)
    {
        if (frequencies == null)
        {
            throw new NullPointerException("frequencies");
        }
        this.frequencies = frequencies;
        // SplitMix64 of the seed: any seed, 0 included, gives a non-zero xorshift state
        long state = seed + 0x9E37_79B9_7F4A_7C15L;
        state = (state ^ state >>> 30) * 0xBF58_476D_1CE4_E5B9L;
        state = (state ^ state >>> 27) * 0x94D0_49BB_1331_11EBL;
        state = state ^ state >>> 31;
        this.coin = state == 0 ? 1 : state;
        for (int i = 0; i < shadows.length; i++)
        {
            shadows[i] = new ShadowPolicy(frequencies, this::coinFlip);
        }
        build(requireCapacity(capacityEntries));
        windowShare = FRACTIONS[followed];
    }

    private static int requireCapacity(final int capacityEntries)
    {
        if (capacityEntries < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1 entry: capacityEntries=" + capacityEntries);
        }
        return capacityEntries;
    }

    /** @return the sample's threshold: a hash is sampled when its mix is below it ({@link #sampled}) */
    long sampleThreshold()
    {
        return sampleThreshold;
    }

    /** @return true when the key with this hash is in the sample the shadows replay */
    boolean sampled(final long hash)
    {
        return (hash * SAMPLE_MIX) >>> (Long.SIZE - SAMPLE_BITS) < sampleThreshold;
    }

    /** Replays one access of a sampled key on every shadow; may change the followed share. Locked. */
    void access(final long hash)
    {
        final boolean wasFull = full;
        for (int i = 0; i < shadows.length; i++)
        {
            if (shadows[i].access(hash))
            {
                scores[i]++;
            }
            full |= shadows[i].madeRoom();
        }
        if (full && !wasFull)
        {
            // until now every shadow held every key, so the scores are equal: they tell nothing
            // apart and only widen the noise a lead must beat; the first decision period starts
            // here too, so that nothing before the fill (hits the read path does not replay while
            // the shadows are not full) changes what they decide after it
            Arrays.fill(scores, 0.0);
            shadowAccesses = 0;
        }
        counted();
    }

    /** Ends a replayed access: once per decision period, may follow a better shadow, then decays the scores. */
    private void counted()
    {
        if (full && settling())
        {
            fullAccesses++;
        }
        if (++shadowAccesses < decisionPeriod)
        {
            return;
        }
        shadowAccesses = 0;
        int best = followed;
        for (int i = 0; i < shadows.length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }
        final boolean clear = leads(best);
        final boolean settling = settling();
        if (clear && best == pending || settling && pending >= 0 && leads(pending))
        {
            pendingRuns++;
        }
        else
        {
            pending = clear ? best : -1;
            pendingRuns = clear ? 1 : 0;
        }
        if (pendingRuns >= (settling ? YOUNG_CONFIRMATIONS : CONFIRMATIONS))
        {
            followed = clear ? best : pending;
            windowShare = FRACTIONS[followed];
            pending = -1;
            pendingRuns = 0;
        }
        for (int i = 0; i < scores.length; i++)
        {
            scores[i] *= DECAY;
        }
    }

    /**
     * Follows the shadow at {@code shadow} in {@link #FRACTIONS} and forgets every score, as if the
     * shadows had just decided for it (for tests: a share change at a chosen moment). Locked.
     */
    void follow(final int shadow)
    {
        followed = java.util.Objects.checkIndex(shadow, FRACTIONS.length);
        windowShare = FRACTIONS[followed];
        Arrays.fill(scores, 0.0);
        pending = -1;
        pendingRuns = 0;
    }

    /** @return true when the shadow at {@code shadow} leads the followed one clearly (over 2 standard deviations) */
    private boolean leads(final int shadow)
    {
        final double lead = scores[shadow] - scores[followed];
        return lead > CONFIDENCE * Math.sqrt(scores[shadow] + scores[followed]);
    }

    /** @return true until the shadows have been full for {@link #YOUNG_TURNOVERS} turnovers */
    boolean settling()
    {
        return fullAccesses < (long)YOUNG_TURNOVERS * shadowCapacity;
    }

    /** @return the window share of the followed shadow, the share the cache should use; starts at 0.01 */
    double windowShare()
    {
        return windowShare;
    }

    /**
     * @return true once a shadow has had to make room (since they were last built): before that
     *     every shadow holds every sampled key it was given, so a hit scores alike in all of them
     */
    boolean full()
    {
        return full;
    }

    /** @return the decayed hit score of the shadow at {@code shadow} in {@link #FRACTIONS} (for tests) */
    double score(final int shadow)
    {
        return scores[shadow];
    }

    /** @return the index in {@link #FRACTIONS} of the followed shadow */
    int followed()
    {
        return followed;
    }

    /** @return the entries each shadow holds */
    int shadowCapacity()
    {
        return shadowCapacity;
    }

    /** @return the capacity, in cache entries, the shadows are built for */
    int capacity()
    {
        return capacity;
    }

    /** @return how often a shadow tossed the 1-in-128 admission coin (for tests: the model's coin differs) */
    long coinFlips()
    {
        return coinFlips;
    }

    /** @return the heap bytes the shadows' arrays hold */
    long bytes()
    {
        long bytes = 0;
        for (final ShadowPolicy shadow : shadows)
        {
            bytes += shadow.bytes();
        }
        return bytes;
    }

    /** Rebuilds the shadows, empty, for the capacity they have; keeps the followed share. Locked. */
    void rebuild()
    {
        build(capacity);
    }

    /**
     * Rebuilds the shadows, empty, for a new capacity when it differs from the one they were built
     * for by more than {@link #RESIZE_TOLERANCE} of it; keeps the followed share. Allocates only when
     * the new shadows need larger arrays. Locked.
     *
     * @param capacityEntries the entries the cache now holds, at least 1
     * @return true when the shadows were rebuilt
     */
    boolean resize(final int capacityEntries)
    {
        requireCapacity(capacityEntries);
        if (Math.abs((long)capacityEntries - capacity) <= RESIZE_TOLERANCE * capacity)
        {
            return false;
        }
        build(capacityEntries);
        return true;
    }

    /**
     * Rebuilds the shadows, empty, for exactly {@code capacityEntries}, however close to the current
     * capacity; keeps the followed share. Locked.
     *
     * @param capacityEntries the entries the cache holds, at least 1
     */
    void rebuild(final int capacityEntries)
    {
        build(requireCapacity(capacityEntries));
    }

    private void build(final int capacityEntries)
    {
        capacity = capacityEntries;
        final double rate = Math.min(1.0, (double)MAX_SAMPLED / capacityEntries);
        shadowCapacity = Math.max(1, (int)Math.round(capacityEntries * rate));
        decisionPeriod = Math.max(MIN_PERIOD, shadowCapacity / DECISIONS_PER_TURNOVER);
        for (int i = 0; i < shadows.length; i++)
        {
            shadows[i].reset(shadowCapacity, (int)Math.round(FRACTIONS[i] * shadowCapacity));
        }
        Arrays.fill(scores, 0.0);
        shadowAccesses = 0;
        pending = -1;
        pendingRuns = 0;
        fullAccesses = 0;
        full = false;
        sampleThreshold = (long)Math.ceil(rate * (1L << SAMPLE_BITS));
    }

    /** @return true one time in 128 (xorshift64) */
    private boolean coinFlip()
    {
        coinFlips++;
        long x = coin;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        coin = x;
        return x >>> (Long.SIZE - 7) == 0;
    }
}
