package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.OffHeapCache;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A window of at least 3/4 of the entries is the cache's recency region, and its CLOCK sends a read
 * head round again only when the read is recent ({@link AdaptivePolicy#windowKeepAge}); a smaller
 * window sends round any head read since its last lap. Shown on a {@link ShadowPolicy}, which runs
 * the engine's rule on hashes.
 */
class WindowKeepAgeTest
{
    private static final int CAPACITY = 800; // an epoch is 100 insertions
    private static final byte[] VALUE = new byte[16];

    @Test
    void theKeepAgeIsThreeQuartersOfALargeWindowsTurnover()
    {
        assertEquals(6, AdaptivePolicy.windowKeepAge(1000, 1000), "100%: 6 of 8 epochs");
        assertEquals(5, AdaptivePolicy.windowKeepAge(900, 1000), "90%: 5 of 7.2");
        assertEquals(5, AdaptivePolicy.windowKeepAge(750, 1000), "75%: 4.5 rounds to 5");
        assertEquals(IndexDescriptor.EPOCHS, AdaptivePolicy.windowKeepAge(600, 1000), "60%: any read keeps");
        assertEquals(IndexDescriptor.EPOCHS, AdaptivePolicy.windowKeepAge(10, 1000), "1%: any read keeps");
        assertEquals(IndexDescriptor.EPOCHS, AdaptivePolicy.windowKeepAge(0, 0), "an empty segment: no limit");
    }

    @Test
    void aFullWindowEvictsAHeadReadLongAgo()
    {
        final ShadowPolicy shadow = fillReadingFirstEarlyAndSecondLate(CAPACITY);
        shadow.access(hash(CAPACITY));
        shadow.access(hash(CAPACITY + 1));
        assertTrue(shadow.access(hash(1)), "read in the last epoch: went round again");
        assertFalse(shadow.access(hash(0)), "read 8 epochs ago, before the 799 records behind it were: evicted");
    }

    @Test
    void aSmallWindowKeepsAnyReadHead()
    {
        final ShadowPolicy shadow = fillReadingFirstEarlyAndSecondLate(CAPACITY * 60 / 100);
        shadow.access(hash(CAPACITY));
        shadow.access(hash(CAPACITY + 1));
        assertTrue(shadow.access(hash(0)), "a 60% window is the door's filter: the read kept the head");
    }

    /**
     * When every record was read since the last lap, the next insertion sends them all round again,
     * behind the record just inserted: a plain CLOCK then evicts that new record at once, where LRU
     * would evict the record read longest ago. A large window sends a head that young round once.
     */
    @Test
    void aNewRecordOutlivesTheLapItsInsertionStarts()
    {
        final ShadowPolicy shadow = new ShadowPolicy(hash -> 1, () -> false);
        shadow.reset(CAPACITY, CAPACITY);
        for (int key = 0; key < CAPACITY; key++)
        {
            assertFalse(shadow.access(hash(key)));
        }
        for (int key = 0; key < CAPACITY; key++)
        {
            assertTrue(shadow.access(hash(key)), "every key read since it was inserted");
        }
        assertFalse(shadow.access(hash(CAPACITY)));
        assertTrue(shadow.access(hash(CAPACITY)), "the new record went round once, after the lap");
        assertFalse(shadow.access(hash(0)), "the first key, its lap spent, was evicted instead");
    }

    /**
     * The engine makes room before it appends, so a lap there passes forward the records inserted
     * just before it: here eight records, appended while the eight unread heads made room for them,
     * and then a ninth insertion finds every head read. A plain CLOCK evicted those eight new
     * records next, before any record of the lap.
     */
    @Test
    void theEngineKeepsTheRecordsALapPassedForward() throws ReflectiveOperationException
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(256 * 1024).segments(1).hashSeed(5).build())
        {
            AdaptiveWindowGrowthTest.shared(cache).follow(WindowShadows.FRACTIONS.length - 1);
            long key = 0;
            while (cache.stats().evictionCount() < 2_000)
            {
                cache.put(key++, VALUE);
            }
            final List<Long> present = new ArrayList<>();
            for (long k = 0; k < key; k++)
            {
                if (cache.containsKey(k))
                {
                    present.add(k); // in queue order: the window took them in order and read none
                }
            }
            final int unread = 8;
            for (final long k : present.subList(unread, present.size()))
            {
                assertTrue(cache.get(k) != null);
            }
            assertEquals(1.0, cache.stats().windowShare());
            final long fresh = 1L << 40;
            for (int i = 0; i <= unread; i++)
            {
                cache.put(fresh + i, VALUE);
            }
            for (int i = 0; i <= unread; i++)
            {
                assertTrue(cache.containsKey(fresh + i), "new record " + i + " outlived the lap");
            }
            assertFalse(cache.containsKey(present.get(unread)), "the first record of the lap left instead");
        }
    }

    /** Keys 0 to capacity - 1; key 0 read at once (epoch 0), key 1 after the last insertion (epoch 7). */
    private static ShadowPolicy fillReadingFirstEarlyAndSecondLate(final int window)
    {
        final ShadowPolicy shadow = new ShadowPolicy(hash -> 1, () -> false);
        shadow.reset(CAPACITY, window);
        for (int key = 0; key < CAPACITY; key++)
        {
            assertFalse(shadow.access(hash(key)));
            if (key == 1)
            {
                assertTrue(shadow.access(hash(0)));
            }
        }
        assertTrue(shadow.access(hash(1)));
        return shadow;
    }

    private static long hash(final long key)
    {
        return Hashing.hash(key, 7);
    }
}
