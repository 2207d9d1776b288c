package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.OffHeapCache;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the window's share grows, the main region is over its share and gives up records as new
 * ones arrive: the records read there join the window with their read mark, and the unread ones
 * are evicted first (docs/policy.md, "Making room"). Before, a read record was promoted to the
 * protected queue, demoted at once (protected has no room in a shrinking main region) with its
 * mark spent, and evicted in queue order with the unread: the zigzag trace lost a whole sweep to
 * that when the cache turned to a 100% window.
 */
class AdaptiveWindowGrowthTest
{
    private static final byte[] VALUE = new byte[16];

    @Test
    void recordsReadInMainOutliveUnreadOnesWhenTheWindowGrows() throws ReflectiveOperationException
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(256 * 1024).segments(1).hashSeed(3).build())
        {
            // fill past the budget at the 1% window: later keys lose at the door (ties go to the
            // victim), so the main region holds nearly every present key
            long key = 0;
            while (cache.stats().evictionCount() < 1_000)
            {
                cache.put(key++, VALUE);
            }
            assertEquals(0.01, cache.stats().windowShare());
            final List<Long> read = new ArrayList<>();
            final List<Long> unread = new ArrayList<>();
            for (long k = 0; k < key; k++)
            {
                if (cache.containsKey(k))
                {
                    (k % 2 == 0 ? read : unread).add(k);
                }
            }
            for (final long k : read)
            {
                assertTrue(cache.get(k) != null, "present: " + k);
            }
            cache.put(read.get(0), VALUE); // a writer drains the reads into the sketch and the shadows
            shared(cache).follow(WindowShadows.FRACTIONS.length - 1);
            assertEquals(1.0, cache.stats().windowShare());

            // as many new keys as there are unread ones, and a quarter as many again as read ones:
            // few enough insertions that the reads stay younger than a 100% window's keep age
            // (AdaptivePolicy.windowKeepAge: 6 epochs of 8 per turnover)
            final long fresh = 1L << 40;
            final int inserts = unread.size() + read.size() / 4;
            for (int i = 0; i < inserts; i++)
            {
                cache.put(fresh + i, VALUE);
            }
            final long readLeft = read.stream().filter(cache::containsKey).count();
            final long unreadLeft = unread.stream().filter(cache::containsKey).count();
            assertEquals(1.0, cache.stats().windowShare(), "no hit since the share was set: no lead to follow");
            assertEquals(0, unreadLeft, "the unread records of main went first: " + unreadLeft + " of " +
                unread.size() + " left");
            assertEquals(read.size(), readLeft, "every read record joined the window and went round once: " +
                readLeft + " of " + read.size() + " left");
        }
    }

    /** @return the cache's adaptive state (for tests that set the window share) */
    static AdaptiveShared shared(final OffHeapCache cache) throws ReflectiveOperationException
    {
        final Field counters = OffHeapCache.class.getDeclaredField("counters");
        counters.setAccessible(true);
        final Object value = counters.get(cache);
        final Field adaptive = value.getClass().getDeclaredField("adaptive");
        adaptive.setAccessible(true);
        return (AdaptiveShared)adaptive.get(value);
    }
}
