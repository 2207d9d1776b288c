package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.internal.EntryDescriptor;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Eviction in one segment whose ring holds exactly {@link #fill} entries of one size, so every
 * test knows which record sits at the head of the ring.
 */
class EvictionTest
{
    private static final long CAPACITY = 64 * 1024;
    private static final int VALUE_LENGTH = 96;
    private static final int RECORD = (int)EntryDescriptor.recordLength(Long.BYTES, VALUE_LENGTH);

    private final FakeTicker ticker = new FakeTicker();
    // a small expected entry size makes the index generous, so only the ring limits the entries;
    // these tests are about second chance (the adaptive policy has its own: Issue13AdaptiveEvictionTest)
    private final OffHeapCache cache = OffHeapCache.builder().capacity(CAPACITY).segments(1).expectedEntrySize(8)
        .eviction(EvictionMode.SECOND_CHANCE).hashSeed(3).ticker(ticker).build();
    private final int fill = OffHeapCacheBuilder.Sizing.of(CAPACITY, 1, 8).ringBytes() / RECORD;

    @AfterEach
    void verifyAndClose()
    {
        cache.verifyInvariants();
        cache.close();
    }

    private void put(final long key)
    {
        assertTrue(cache.put(key, new byte[VALUE_LENGTH]));
    }

    private void fillRing()
    {
        for (long key = 0; key < fill; key++)
        {
            put(key);
        }
        assertEquals(0, cache.stats().evictionCount(), "the ring holds exactly " + fill + " entries");
        assertEquals(fill, cache.stats().entryCount());
    }

    @Test
    void recentlyReadEntriesSurviveUntouchedOnes()
    {
        fillRing();
        for (long key = 0; key < fill; key += 2)
        {
            assertNotNull(cache.get(key));
        }
        for (long key = fill; key < fill + fill / 2; key++)
        {
            put(key);
        }
        int hotKept = 0;
        int coldKept = 0;
        for (long key = 0; key < fill; key++)
        {
            if (cache.peek(key) != null)
            {
                if (key % 2 == 0)
                {
                    hotKept++;
                }
                else
                {
                    coldKept++;
                }
            }
        }
        final int hot = (fill + 1) / 2;
        assertEquals(hot, hotKept, "every read entry survives (FIFO would have evicted the oldest half)");
        assertTrue(coldKept <= 1, "untouched entries go first: coldKept=" + coldKept);
        final CacheStats stats = cache.stats();
        assertTrue(stats.secondChanceCount() > 0, stats.toString());
    }

    @Test
    void deletedSpaceIsReclaimedBeforeAnythingIsEvicted()
    {
        fillRing();
        for (long key = 0; key < fill / 2; key++)
        {
            assertTrue(cache.remove(key));
        }
        for (long key = fill; key < fill + fill / 2; key++)
        {
            put(key);
        }
        assertEquals(0, cache.stats().evictionCount());
        for (long key = fill / 2; key < fill + fill / 2; key++)
        {
            assertNotNull(cache.peek(key), "key " + key);
        }
    }

    @Test
    void expiredEntriesAreReclaimedBeforeLiveOnes()
    {
        for (long key = 0; key < fill; key++)
        {
            if (key < fill / 2)
            {
                assertTrue(cache.put(key, new byte[VALUE_LENGTH], Duration.ofSeconds(1)));
            }
            else
            {
                put(key);
            }
        }
        ticker.advance(Duration.ofSeconds(2));
        for (long key = fill; key < fill + fill / 2; key++)
        {
            put(key);
        }
        final CacheStats stats = cache.stats();
        assertEquals(0, stats.evictionCount(), stats.toString());
        assertEquals(fill / 2, stats.expirationCount(), stats.toString());
        for (long key = fill / 2; key < fill + fill / 2; key++)
        {
            assertNotNull(cache.peek(key), "key " + key);
        }
    }

    @Test
    void oneSweepMovesEachReadEntryOnceThenEvicts()
    {
        fillRing();
        for (long key = 0; key < fill; key++)
        {
            assertNotNull(cache.get(key));
        }
        put(fill);
        final CacheStats stats = cache.stats();
        assertEquals(fill, stats.secondChanceCount(), "every entry was read, so each gets one move: " + stats);
        assertEquals(1, stats.evictionCount(), stats.toString());
        assertNull(cache.peek(0L), "after a full sweep the head has no reference left and goes");
        for (long key = 1; key <= fill; key++)
        {
            assertNotNull(cache.peek(key), "key " + key);
        }
    }

    @Test
    void aReadTooLongAgoBuysNoSecondChance()
    {
        fillRing();
        final long newest = fill - 1;
        assertNotNull(cache.get(newest));
        // one turnover of the ring is EPOCHS_PER_TURNOVER epochs, more than KEEP_AGE
        for (long key = fill; key < 2L * fill - 1; key++)
        {
            put(key);
        }
        assertNotNull(cache.peek(newest), "still there: the head has not reached it");
        put(2L * fill);
        final CacheStats stats = cache.stats();
        assertNull(cache.peek(newest), "read a whole turnover ago: evicted (plain CLOCK would keep it)");
        assertEquals(0, stats.secondChanceCount(), stats.toString());
    }

    @Test
    void aRecentReadBuysASecondChance()
    {
        fillRing();
        final long newest = fill - 1;
        for (long key = fill; key < 2L * fill - 1; key++)
        {
            put(key);
        }
        assertNotNull(cache.get(newest));
        put(2L * fill);
        assertNotNull(cache.peek(newest), "read just now: moved, not evicted");
        assertEquals(1, cache.stats().secondChanceCount());
    }

    @Test
    void aFullIndexEvictsInsteadOfGrowing()
    {
        try (OffHeapCache indexBound = OffHeapCache.builder().capacity(CAPACITY).segments(1)
            .expectedEntrySize(2000).eviction(EvictionMode.SECOND_CHANCE).hashSeed(3).build())
        {
            for (long key = 0; key < 1000; key++)
            {
                assertTrue(indexBound.put(key, new byte[1]));
            }
            final CacheStats stats = indexBound.stats();
            final long maxEntries = indexBound.segments()[0].maxEntries();
            assertTrue(maxEntries < 100, "index holds few entries: " + maxEntries);
            assertEquals(maxEntries, stats.entryCount(), stats.toString());
            assertEquals(1000 - maxEntries, stats.evictionCount(), stats.toString());
            assertTrue(stats.allocatedBytes() <= CAPACITY);
            indexBound.verifyInvariants();
        }
    }

    @Test
    void aLongRunOfMixedSizesKeepsRingAndIndexConsistent()
    {
        final java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 50_000; i++)
        {
            final long key = random.nextInt(3000);
            switch (random.nextInt(4))
            {
                case 0:
                    cache.remove(key);
                    break;
                case 1:
                    cache.get(key);
                    break;
                default:
                    cache.put(key, new byte[random.nextInt(cache.maxEntrySize() - 8)]);
            }
            if (i % 5000 == 0)
            {
                cache.verifyInvariants();
            }
        }
        assertTrue(cache.stats().evictionCount() > 0);
    }
}
