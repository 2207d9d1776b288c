package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.internal.CollidingKeys;
import dev.larder.internal.IndexDescriptor;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 through the public API: the default cache stores a key family built to collide under
 * the fast hash as it stores any keys, and a cache on the fast hash bounds the damage to the
 * family's own region of one index, reporting every entry it evicts there.
 */
class Issue14FloodedCacheTest
{
    private static final byte[][] FAMILY = CollidingKeys.family(12);

    @Test
    void theDefaultCacheStoresTheWholeFamily()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(64L << 20).build())
        {
            assertEquals(HashFunction.SIPHASH_1_3, cache.hashFunction());
            for (int i = 0; i < FAMILY.length; i++)
            {
                assertTrue(cache.put(FAMILY[i], value(i)));
            }
            for (int i = 0; i < FAMILY.length; i++)
            {
                assertArrayEquals(value(i), cache.get(FAMILY[i]), "key " + i);
            }
            final CacheStats stats = cache.stats();
            assertEquals(FAMILY.length, stats.entryCount());
            assertEquals(0, stats.evictionCount());
            assertEquals(0, stats.collisionEvictionCount());
            cache.verifyInvariants();
        }
    }

    @Test
    void onTheFastHashTheFamilyCrowdsOnlyItsOwnRegionAndEveryEvictionIsReported()
    {
        final long[] evicted = new long[1];
        try (OffHeapCache cache =
            OffHeapCache.builder().capacity(64L << 20).hashFunction(HashFunction.FAST_TRUSTED_KEYS)
            .removalListener((key, value, cause) -> {
                if (cause == RemovalCause.EVICTED)
                {
                    evicted[0]++;
                }
            }).build())
        {
            for (long key = 0; key < 10_000; key++)
            {
                assertTrue(cache.put(key, value((int)key)));
            }
            for (int i = 0; i < FAMILY.length; i++)
            {
                assertTrue(cache.put(FAMILY[i], value(i)), "a put is never refused for colliding");
            }
            int present = 0;
            for (final byte[] key : FAMILY)
            {
                present += cache.get(key) != null ? 1 : 0;
            }
            final CacheStats stats = cache.stats();
            assertTrue(present <= IndexDescriptor.MAX_DISPLACEMENT + 1, "family keys indexed: " + present);
            assertEquals(FAMILY.length + 10_000 - stats.entryCount(), stats.evictionCount(), "every removal counted");
            assertEquals(stats.evictionCount(), evicted[0], "every eviction reported");
            // the ring of that segment overflows too, so some evictions are the ring's
            assertTrue(stats.collisionEvictionCount() > 0 && stats.collisionEvictionCount() <= stats.evictionCount(),
                "collision evictions: " + stats.collisionEvictionCount() + " of " + stats.evictionCount());
            // the family fills one segment, ring and index window; every other segment is untouched
            final Object flooded = cache.segmentFor(cache.hasher().hash(FAMILY[0], 0, FAMILY[0].length));
            int elsewhere = 0;
            for (long key = 0; key < 10_000; key++)
            {
                if (cache.segmentFor(cache.hasher().hash(key)) != flooded)
                {
                    assertArrayEquals(value((int)key), cache.get(key), "key " + key + " in another segment");
                    elsewhere++;
                }
            }
            assertTrue(elsewhere > 9_800, "keys in other segments: " + elsewhere);
            cache.verifyInvariants();
        }
    }

    private static byte[] value(final int i)
    {
        return ByteBuffer.allocate(8).putInt(i).putInt(~i).array();
    }
}
