package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The shadows follow the window share a trace calls for, both ways, deterministically, without
 * allocating. The traces are the shapes the simulator's model was tuned on (docs/policy.md): a
 * loop larger than the cache, where only a small window with frequency admission hits (W-TinyLFU),
 * and a recency stream, where each key comes back once after a distance only a large window
 * keeps (LRU).
 */
class WindowShadowsTest
{
    private static final long HASH_SEED = 0x5EED_1234L;
    private static final int CAPACITY = 1000;

    private static FrequencySketch sketch(final int capacity)
    {
        return new FrequencySketch(new HeapMemory(FrequencySketch.bytesFor(capacity)), capacity);
    }

    /**
     * The cache side of the shadows in the engine: the sketch they read, which the cache counts
     * (here every access, as Caffeine does; the engine counts misses and mark changes), and the
     * sampled accesses they replay.
     */
    private static final class Feed
    {
        final FrequencySketch sketch;
        final WindowShadows shadows;

        Feed(final int capacity, final long seed)
        {
            sketch = sketch(capacity);
            shadows = new WindowShadows(capacity, sketch::frequency, seed);
        }

        void access(final long key)
        {
            final long hash = Hashing.hash(key, HASH_SEED);
            sketch.increment(hash);
            if (shadows.sampled(hash))
            {
                shadows.access(hash);
            }
        }

        /** Keys 0 to 1.5 × capacity in order, {@code passes} times, from {@code base}. */
        void loop(final long base, final int capacity, final int passes)
        {
            for (int pass = 0; pass < passes; pass++)
            {
                for (long key = 0; key < capacity + capacity / 2; key++)
                {
                    access(base + key);
                }
            }
        }

        /** Each new key comes back once, {@code 0.4 × capacity} new keys later (LRU stack distance 0.8 × capacity). */
        void recency(final long base, final int capacity, final int steps)
        {
            final int distance = capacity * 40 / 100;
            for (long step = 0; step < steps; step++)
            {
                access(base + step);
                if (step >= distance)
                {
                    access(base + step - distance);
                }
            }
        }
    }

    @Test
    void startsAtTheSmallestWindow()
    {
        final Feed feed = new Feed(CAPACITY, 1);
        assertEquals(0.01, feed.shadows.windowShare());
        assertEquals(0, feed.shadows.followed());
        assertEquals(CAPACITY, feed.shadows.shadowCapacity(), "a cache of at most 4096 entries samples every key");
    }

    @Test
    void aLoopLargerThanTheCacheKeepsASmallWindow()
    {
        final Feed feed = new Feed(CAPACITY, 1);
        feed.recency(1L << 40, CAPACITY, 30 * CAPACITY);
        assertTrue(feed.shadows.windowShare() >= 0.9, "recency first: " + feed.shadows.windowShare());
        feed.loop(0, CAPACITY, 40);
        assertTrue(feed.shadows.windowShare() <= 0.1, "share " + feed.shadows.windowShare());
    }

    @Test
    void aRecencyStreamGoesToALargeWindow()
    {
        final Feed feed = new Feed(CAPACITY, 1);
        feed.recency(0, CAPACITY, 30 * CAPACITY);
        assertTrue(feed.shadows.windowShare() >= 0.9, "share " + feed.shadows.windowShare());
    }

    @Test
    void followsPhasesBothWays()
    {
        final Feed feed = new Feed(CAPACITY, 7);
        for (int phase = 0; phase < 3; phase++)
        {
            final long base = (long)phase << 40;
            feed.recency(base, CAPACITY, 30 * CAPACITY);
            assertTrue(feed.shadows.windowShare() >= 0.9, "recency phase " + phase + ": " + feed.shadows.windowShare());
            feed.loop(base + (1L << 39), CAPACITY, 30);
            assertTrue(feed.shadows.windowShare() <= 0.1, "loop phase " + phase + ": " + feed.shadows.windowShare());
        }
    }

    /**
     * The oracle: the decisions of the simulator's {@code RingPolicyModel} (cache-bench), recorded
     * on the same trace: access numbers at which the model's window share changed, and the share in
     * percent. Recorded with {@code RingPolicyConfig.defaults()} but {@code countEveryRead = true} (so the
     * model's sketch is the one {@link Feed} keeps: every access counts) and seed 1, on six phases
     * of {@link #modelTrace}, by a scratch program that printed
     * {@code model.windowFraction()} after each {@code model.access(key)}. The model hashes keys
     * with {@code KeyHasher.seeded(SIPHASH_1_3, seed * 31 + 17)}, as here. The decisions agree
     * access for access although the two coins differ (the model draws its 1-in-128 coin from the
     * stream its segments share; the shadows tossed theirs 94 and 12 times on these traces): the
     * coin decides too few admissions to move a decision here, so a change of seed or trace could
     * in principle make the two part ways after a toss.
     */
    @Test
    void decidesAsTheSimulatorsModel()
    {
        assertArrayEquals(new long[] {3350L, 90, 26350L, 1, 32100L, 90}, modelTrace(1000));
        assertArrayEquals(new long[] {33414L, 90, 78708L, 100, 86021L, 90, 249939L, 1, 322546L, 90},
            modelTrace(10_000));
    }

    /** Recency and loop phases, alternating, as the model was run; returns the change points. */
    private static long[] modelTrace(final int capacity)
    {
        final long seed = 1;
        final KeyHasher hasher = KeyHasher.seeded(dev.larder.HashFunction.SIPHASH_1_3, seed * 31 + 17);
        final FrequencySketch sketch = sketch(capacity);
        final WindowShadows shadows = new WindowShadows(capacity, sketch::frequency, seed);
        final long[] changes = new long[64];
        int n = 0;
        long index = 0;
        double last = shadows.windowShare();
        final int distance = capacity * 40 / 100;
        final long[] keys = new long[2];
        for (int phase = 0; phase < 6; phase++)
        {
            final long base = (long)phase << 40;
            final long steps = phase % 2 == 0 ? 8L * capacity : 8L * (capacity + capacity / 2);
            for (long step = 0; step < steps; step++)
            {
                int count = 0;
                if (phase % 2 == 0)
                {
                    keys[count++] = base + step;
                    if (step >= distance)
                    {
                        keys[count++] = base + step - distance;
                    }
                }
                else
                {
                    keys[count++] = base + step % (capacity + capacity / 2);
                }
                for (int k = 0; k < count; k++)
                {
                    final long hash = hasher.hash(keys[k]);
                    sketch.increment(hash);
                    if (shadows.sampled(hash))
                    {
                        shadows.access(hash);
                    }
                    index++;
                    if (shadows.windowShare() != last)
                    {
                        last = shadows.windowShare();
                        changes[n++] = index;
                        changes[n++] = Math.round(last * 100);
                    }
                }
            }
        }
        assertTrue(shadows.coinFlips() > 0, "the admission coin was tossed");
        return java.util.Arrays.copyOf(changes, n);
    }

    @Test
    void fullOnceAShadowMakesRoom()
    {
        final Feed feed = new Feed(CAPACITY, 1);
        for (long key = 0; key < CAPACITY; key++)
        {
            feed.access(key);
            feed.access(key);
        }
        assertFalse(feed.shadows.full(), "every shadow holds the 1,000 keys it was given");
        feed.access(CAPACITY);
        assertTrue(feed.shadows.full(), "the 1,001st key makes room");
        feed.shadows.rebuild();
        assertFalse(feed.shadows.full(), "rebuilt shadows are empty");
    }

    /**
     * For three turnovers after the shadows fill, a lead must hold at four decisions in a row (a
     * whole turnover) before the cache follows it; after that, at two. A recency stream from the
     * first access has the large windows clearly ahead from the fill on, so the first change comes
     * exactly when the settling rule allows it, and a later phase change is followed two periods
     * after the lead shows.
     */
    @Test
    void aLeadInTheFirstTurnoversAfterTheFillMustHoldAWholeTurnover()
    {
        final Feed feed = new Feed(CAPACITY, 1);
        final int period = CAPACITY / WindowShadows.DECISIONS_PER_TURNOVER;
        long accesses = 0;
        long filledAt = -1;
        long firstChange = -1;
        // each key comes back 0.2 × capacity new keys later: the large windows hit from the fill
        // on (at 0.4 × capacity a CLOCK evicts the keys still to come back for a turnover after
        // the fill, in every shadow, so no lead shows)
        final int distance = CAPACITY * 20 / 100;
        for (long step = 0; firstChange < 0; step++)
        {
            for (int k = 0; k < (step >= distance ? 2 : 1); k++)
            {
                feed.access(k == 0 ? step : step - distance);
                accesses++;
                if (filledAt < 0 && feed.shadows.full())
                {
                    filledAt = accesses;
                    assertTrue(feed.shadows.settling(), "settling from the fill on");
                }
                if (feed.shadows.windowShare() != 0.01)
                {
                    firstChange = accesses;
                }
            }
        }
        assertTrue(firstChange - filledAt >= (long)WindowShadows.YOUNG_CONFIRMATIONS * period - period,
            "four decisions in a row: filled at " + filledAt + ", followed at " + firstChange);
        assertTrue(firstChange - filledAt <= (long)(WindowShadows.YOUNG_CONFIRMATIONS + 1) * period,
            "a lead clear from the fill is followed at the fourth decision: filled at " + filledAt +
            ", followed at " + firstChange);
        for (long i = 0; i < (long)WindowShadows.YOUNG_TURNOVERS * CAPACITY; i++)
        {
            feed.access((1L << 41) + i % (CAPACITY + CAPACITY / 2));
        }
        assertFalse(feed.shadows.settling(), "settled after three turnovers of sampled accesses");
    }

    /**
     * While the shadows settle, near-equal shares take turns at the top: on a recency stream whose
     * keys come back after a geometric number of new keys (mean 200: the opening phase of the
     * simulator's {@code phases} trace), 30% to 100% all hit about as often. The share that first
     * led need only keep its lead for four decisions, and the cache then takes the best: it
     * follows a large window within six decision periods of the fill (the lead shows in the first
     * two; 5,089 accesses here), where a rule that wanted one shadow at the top four times in a
     * row waited 8,089.
     */
    @Test
    void whileSettlingTheFirstLeaderNeedOnlyKeepItsLead()
    {
        final int capacity = 4000;
        final Feed feed = new Feed(capacity, 3);
        final int period = capacity / WindowShadows.DECISIONS_PER_TURNOVER;
        final SplittableRandom random = new SplittableRandom(23);
        long fresh = 1L << 40;
        long accesses = 0;
        long filledAt = -1;
        while (feed.shadows.windowShare() == 0.01 && accesses < 40L * capacity)
        {
            final long key;
            if (random.nextDouble() < 0.75 && fresh > 1L << 40)
            {
                key = Math.max(1L << 40, fresh - 1 - (long)(-Math.log(1 - random.nextDouble()) * 200));
            }
            else
            {
                key = fresh++;
            }
            feed.access(key);
            accesses++;
            if (filledAt < 0 && feed.shadows.full())
            {
                filledAt = accesses;
            }
        }
        assertTrue(filledAt > 0 && feed.shadows.windowShare() >= 0.3, "share " + feed.shadows.windowShare());
        assertTrue(accesses - filledAt <= (long)(WindowShadows.YOUNG_CONFIRMATIONS + 2) * period,
            "followed " + (accesses - filledAt) + " accesses after the fill, at " + feed.shadows.windowShare());
    }

    /**
     * Before the shadows fill, a hit of a sampled key is a hit in every shadow, and the read path no
     * longer feeds such hits to them (it reads nothing of the policy for them): the scores and the
     * first decision period start at the fill, so what the shadows decide after it does not depend
     * on how many such hits came before. Here one feed takes 3,079 more of them (hits of keys
     * already read, on the shadows alone, as the read path counted them before) and both then
     * decide alike, access for access, through the fill and a recency and a loop phase.
     */
    @Test
    void hitsBeforeTheFillChangeNothingAfterIt()
    {
        final Feed few = new Feed(CAPACITY, 3);
        final Feed many = new Feed(CAPACITY, 3);
        final int keys = CAPACITY / 2;
        for (int pass = 0; pass < 2; pass++)
        {
            for (long key = 0; key < keys; key++)
            {
                few.access(key);
                many.access(key);
            }
        }
        final int extra = 3 * CAPACITY / 4 + 7;
        for (int i = 0; i < extra; i++)
        {
            final long hash = Hashing.hash(i % keys, HASH_SEED);
            assertTrue(many.shadows.sampled(hash));
            many.shadows.access(hash);
        }
        assertFalse(many.shadows.full());
        final int distance = CAPACITY * 40 / 100;
        int changes = 0;
        double share = few.shadows.windowShare();
        for (long step = 0; step < 30L * CAPACITY + 30L * (CAPACITY + CAPACITY / 2); step++)
        {
            final boolean recency = step < 30L * CAPACITY;
            final long key = recency ? (1L << 40) + step : (1L << 41) + step % (CAPACITY + CAPACITY / 2);
            for (int k = 0; k < (recency && step >= distance ? 2 : 1); k++)
            {
                final long next = k == 0 ? key : key - distance;
                few.access(next);
                many.access(next);
                assertEquals(few.shadows.windowShare(), many.shadows.windowShare(), "at step " + step);
            }
            changes += few.shadows.windowShare() != share ? 1 : 0;
            share = few.shadows.windowShare();
        }
        assertTrue(few.shadows.full());
        assertTrue(changes >= 2, "the shares changed " + changes + " times");
        for (int shadow = 0; shadow < WindowShadows.FRACTIONS.length; shadow++)
        {
            assertEquals(few.shadows.score(shadow), many.shadows.score(shadow), 1e-9, "shadow " + shadow);
        }
    }

    @Test
    void sameSeedSameDecisions()
    {
        assertArrayEquals(trajectory(3), trajectory(3));
    }

    private static int[] trajectory(final long seed)
    {
        final Feed feed = new Feed(CAPACITY, seed);
        final int[] followed = new int[40];
        for (int i = 0; i < followed.length; i++)
        {
            if (i % 2 == 0)
            {
                feed.loop((long)i << 40, CAPACITY, 3);
            }
            else
            {
                feed.recency((long)i << 40, CAPACITY, 4 * CAPACITY);
            }
            followed[i] = feed.shadows.followed();
        }
        return followed;
    }

    @Test
    void samplesAboutFourThousandEntriesOfALargeCache()
    {
        final int capacity = 400_000;
        final WindowShadows shadows = new WindowShadows(capacity, hash -> 0, 1);
        assertEquals(WindowShadows.MAX_SAMPLED, shadows.shadowCapacity());
        final SplittableRandom random = new SplittableRandom(5);
        int sampled = 0;
        for (int i = 0; i < capacity; i++)
        {
            if (shadows.sampled(random.nextLong()))
            {
                sampled++;
            }
        }
        assertEquals(WindowShadows.MAX_SAMPLED, sampled, 300, "1 in 100 of 400,000 random hashes");
    }

    @Test
    void accessAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemoryEnabled());
        final FrequencySketch sketch = sketch(CAPACITY);
        final WindowShadows shadows = new WindowShadows(CAPACITY, sketch::frequency, 1);
        final long[] hashes = new long[200_000];
        final SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < hashes.length; i++)
        {
            // a skewed stream over 3,000 keys: hits, misses, admissions, rejections, promotions
            hashes[i] = Hashing.hash((long)(3000 * Math.pow(random.nextDouble(), 2)), HASH_SEED);
        }
        // warm-up: the first replays link and load what the path needs, and a branch the JIT had
        // pruned and then meets deoptimises and resolves it again (a few hundred to a few thousand
        // bytes, once each); steady state is the first replay that allocates nothing, within ten
        int warmUps = 1;
        while (allocatedAround(threads, shadows, hashes) != allocatedAround(threads, null, null))
        {
            assertTrue(++warmUps <= 10, "still allocating after " + warmUps + " replays of " + hashes.length);
        }
        for (int round = 0; round < 3; round++)
        {
            final long calibration = allocatedAround(threads, null, null);
            final long allocated = allocatedAround(threads, shadows, hashes);
            assertEquals(calibration, allocated, "bytes allocated by " + hashes.length + " accesses (round " +
                round + ")");
        }
        assertEquals(0, allocatedAround(threads, null, null), "the measurement itself allocates nothing");
    }

    /** @return bytes this thread allocated while replaying {@code hashes} (nothing when null) */
    private static long allocatedAround(final com.sun.management.ThreadMXBean threads, final WindowShadows shadows,
        final long[] hashes)
    {
        final long before = threads.getCurrentThreadAllocatedBytes();
        if (hashes != null)
        {
            for (final long hash : hashes)
            {
                shadows.access(hash);
            }
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void resizeIgnoresSmallChangesAndRebuildsForLargeOnes()
    {
        final Feed feed = new Feed(CAPACITY, 1);
        feed.recency(0, CAPACITY, 30 * CAPACITY);
        final int followed = feed.shadows.followed();
        assertTrue(followed >= 4);
        final long bytes = feed.shadows.bytes();
        assertFalse(feed.shadows.resize(1250), "+25%");
        assertFalse(feed.shadows.resize(750), "-25%");
        assertEquals(CAPACITY, feed.shadows.shadowCapacity());
        assertEquals(CAPACITY, feed.shadows.capacity());

        assertTrue(feed.shadows.resize(600), "-40%");
        assertEquals(600, feed.shadows.shadowCapacity());
        assertEquals(followed, feed.shadows.followed(), "the followed share survives a resize");
        assertEquals(bytes, feed.shadows.bytes(), "smaller shadows reuse the arrays");

        assertTrue(feed.shadows.resize(CAPACITY), "back up, within the arrays");
        assertEquals(bytes, feed.shadows.bytes());
        assertTrue(feed.shadows.resize(100_000));
        assertEquals(WindowShadows.MAX_SAMPLED, feed.shadows.shadowCapacity());
        assertTrue(feed.shadows.bytes() > bytes, "larger shadows take larger arrays");
        final long most = feed.shadows.bytes();
        // per shadow: 4,097 entries of a hash, a mark and a link (13 bytes), and 8,192 table slots of 4 bytes
        assertEquals(6L * (13 * (WindowShadows.MAX_SAMPLED + 1) + 4 * 8192), most, "504 KiB, docs/policy.md");
        assertFalse(feed.shadows.resize(120_000));
        assertTrue(feed.shadows.resize(10_000_000), "a larger cache samples less, with the same arrays");
        assertEquals(most, feed.shadows.bytes());
    }

    @Test
    void rebuiltShadowsLearnTheNewCapacity()
    {
        final Feed small = new Feed(CAPACITY, 1);
        small.recency(0, CAPACITY, 30 * CAPACITY);
        assertTrue(small.shadows.windowShare() >= 0.9);
        // the cache shrinks to 500 entries: a loop of 750 keys now wants the small window
        assertTrue(small.shadows.resize(500));
        small.loop(1L << 40, 500, 60);
        assertTrue(small.shadows.windowShare() <= 0.1, "share " + small.shadows.windowShare());
    }

    @Test
    void zeroCapacityIsRefused()
    {
        assertEquals("capacity must be at least 1 entry: capacityEntries=0",
            assertThrows(IllegalArgumentException.class, () -> new WindowShadows(0, hash -> 0, 1)).getMessage());
        final WindowShadows shadows = new WindowShadows(10, hash -> 0, 1);
        assertEquals("capacity must be at least 1 entry: capacityEntries=-1",
            assertThrows(IllegalArgumentException.class, () -> shadows.resize(-1)).getMessage());
        assertEquals(10, shadows.capacity(), "left intact");
    }

    @Test
    void aOneEntryCacheSamplesEveryKeyAndKeepsItsRingsSound()
    {
        final Feed feed = new Feed(1, 1);
        assertEquals(1, feed.shadows.shadowCapacity());
        final SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 1000; i++)
        {
            assertTrue(feed.shadows.sampled(random.nextLong()), "a cache of at most 4,096 entries samples every key");
        }
        // a shadow of one entry (window targets 0 or 1) evicts on every miss: a free-list or ring
        // slip would throw here
        for (long key = 0; key < 10_000; key++)
        {
            feed.access(key % 3 == 0 ? 0 : key);
        }
        assertTrue(feed.shadows.windowShare() > 0);
    }
}
