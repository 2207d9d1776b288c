package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
