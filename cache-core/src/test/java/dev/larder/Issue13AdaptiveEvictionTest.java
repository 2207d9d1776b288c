package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.internal.AdaptiveQueues;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the adaptive eviction policy seen through the public API: which caches run it, why it
 * exists (a scan does not flush a hot set), admission rejections reported to the listener and
 * counted, put keeping its meaning, exact expiry in every queue, the window share following the
 * workload, and large values. Every cache is checked by {@link CacheInvariants} at close.
 */
class Issue13AdaptiveEvictionTest
{
    private static final int VALUE = 100;

    /** A value of {@code length} bytes that names its key: the key's 8 bytes, repeated. */
    static byte[] valueOf(final long key, final int length)
    {
        final byte[] value = new byte[length];
        final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES).putLong(key);
        for (int i = 0; i < length; i++)
        {
            value[i] = (byte)(buffer.get(i % Long.BYTES) + i / Long.BYTES);
        }
        return value;
    }

    // ----------------------------------------------------------------------------------------------
    // Mode selection
    // ----------------------------------------------------------------------------------------------

    @Test
    void adaptiveIsTheDefaultAndSecondChanceIsAChoice()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16L << 20).segments(16).hashSeed(1).build())
        {
            final CacheStats stats = cache.stats();
            assertEquals(EvictionMode.ADAPTIVE, stats.evictionMode());
            assertTrue(stats.policyBytes() > 0, "the sketch: " + stats);
            assertTrue(stats.allocatedBytes() <= stats.capacityBytes(), stats::toString);
            assertTrue(stats.policyBytes() < stats.allocatedBytes(), stats::toString);
            assertTrue(stats.windowShare() > 0 && stats.windowShare() <= 1, stats::toString);
            assertEquals(0, stats.admissionRejectionCount());
        }
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16L << 20).segments(16).hashSeed(1)
            .eviction(EvictionMode.SECOND_CHANCE).build())
        {
            final CacheStats stats = cache.stats();
            assertEquals(EvictionMode.SECOND_CHANCE, stats.evictionMode());
            assertEquals(0, stats.policyBytes());
            assertEquals(1.0, stats.windowShare());
            assertTrue(stats.allocatedBytes() <= stats.capacityBytes(), stats::toString);
        }
    }

    @Test
    void aCacheTooSmallToPageRunsSecondChance()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1L << 20).segments(256).hashSeed(1)
            .eviction(EvictionMode.ADAPTIVE).build())
        {
            final CacheStats stats = cache.stats();
            assertEquals(EvictionMode.SECOND_CHANCE, stats.evictionMode(), "4 KiB per segment is too small to page");
            assertEquals(0, stats.policyBytes());
            assertTrue(stats.allocatedBytes() <= stats.capacityBytes(), stats::toString);
            // and it works as a cache
            for (long key = 0; key < 20_000; key++)
            {
                assertTrue(cache.put(key, valueOf(key, VALUE)));
            }
            assertTrue(cache.stats().evictionCount() > 0);
            assertEquals(0, cache.stats().admissionRejectionCount());
            assertArrayEquals(valueOf(19_999, VALUE), cache.get(19_999L));
        }
    }

    @Test
    void aNullModeIsRefusedNamingTheSetting()
    {
        final NullPointerException ex = assertThrows(NullPointerException.class,
            () -> OffHeapCache.builder().eviction(null));
        assertTrue(ex.getMessage().contains("eviction"), ex.getMessage());
    }

    // ----------------------------------------------------------------------------------------------
    // Why the policy exists: scan resistance
    // ----------------------------------------------------------------------------------------------

    @Test
    void aHotSetSurvivesAScanUnderAdaptiveAndIsFlushedUnderSecondChance()
    {
        final double adaptive = hotHitRateAfterScan(EvictionMode.ADAPTIVE);
        final double secondChance = hotHitRateAfterScan(EvictionMode.SECOND_CHANCE);
        assertTrue(adaptive >= 0.9, "adaptive kept " + adaptive + " of the hot set");
        assertTrue(secondChance <= 0.1, "second chance kept " + secondChance + " of the hot set");
    }

    /**
     * Builds frequency on a hot set of 1,000 keys (read between puts of one-hit keys), scans 2.5
     * times the cache's entries once, then reads the hot set once.
     *
     * @return the share of the hot set still cached
     */
    private static double hotHitRateAfterScan(final EvictionMode mode)
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(2L << 20).segments(4).hashSeed(3).eviction(mode)
            .build())
        {
            final int hot = 1_000;
            long cold = 1L << 40;
            for (int round = 0; round < 30; round++)
            {
                for (long key = 0; key < hot; key++)
                {
                    if (cache.get(key) == null)
                    {
                        assertTrue(cache.put(key, valueOf(key, VALUE)));
                    }
                    if (key % 4 == 0)
                    {
                        assertTrue(cache.put(cold, valueOf(cold, VALUE)));
                        cold++;
                    }
                }
            }
            final long holds = cache.stats().entryCount();
            for (long i = 0; i < holds * 5 / 2; i++)
            {
                assertTrue(cache.put(cold, valueOf(cold, VALUE)));
                cold++;
            }
            int hits = 0;
            for (long key = 0; key < hot; key++)
            {
                final byte[] value = cache.get(key);
                if (value != null)
                {
                    assertArrayEquals(valueOf(key, VALUE), value);
                    hits++;
                }
            }
            cache.verifyInvariants();
            return hits / (double)hot;
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Admission rejections
    // ----------------------------------------------------------------------------------------------

    /** Records every removal: key, value and cause. */
    private static final class Recording implements RemovalListener
    {
        final List<Long> keys = new ArrayList<>();
        final Map<RemovalCause, Integer> causes = new HashMap<>();
        int wrongValues;

        @Override
        public void onRemoval(final org.agrona.DirectBuffer key, final org.agrona.DirectBuffer value,
            final RemovalCause cause)
        {
            final long k = key.getLong(0, java.nio.ByteOrder.BIG_ENDIAN);
            keys.add(k);
            causes.merge(cause, 1, Integer::sum);
            final byte[] bytes = new byte[value.capacity()];
            value.getBytes(0, bytes);
            if (!java.util.Arrays.equals(valueOf(k, bytes.length), bytes))
            {
                wrongValues++;
            }
        }
    }

    @Test
    void admissionRejectionsReachTheListenerAsEvictionsAndNothingIsLost()
    {
        final Recording listener = new Recording();
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1L << 20).segments(2).hashSeed(5)
            .removalListener(listener).build())
        {
            final Set<Long> written = new HashSet<>();
            final int hot = 500;
            long cold = 1L << 40;
            for (int round = 0; round < 20; round++)
            {
                for (long key = 0; key < hot; key++)
                {
                    if (cache.get(key) == null)
                    {
                        assertTrue(cache.put(key, valueOf(key, VALUE)));
                        written.add(key);
                    }
                    if (key % 4 == 0)
                    {
                        assertTrue(cache.put(cold, valueOf(cold, VALUE)));
                        written.add(cold++);
                    }
                }
            }
            final long before = cache.stats().admissionRejectionCount();
            // a stream of one-hit keys, each readable right after its put (put keeps its meaning)
            for (int i = 0; i < 20_000; i++)
            {
                final byte[] value = valueOf(cold, VALUE);
                assertTrue(cache.put(cold, value), "a put of a new key is stored");
                assertArrayEquals(value, cache.peek(cold), "a new key is readable right after its put");
                written.add(cold++);
            }
            final CacheStats stats = cache.stats();
            assertTrue(stats.admissionRejectionCount() > before, stats::toString);
            assertTrue(stats.admissionRejectionCount() <= stats.evictionCount(), stats::toString);
            assertEquals(0, listener.wrongValues, "every removal carried its own key's value");
            assertEquals(Map.of(RemovalCause.EVICTED, (int)stats.evictionCount()), listener.causes,
                "every eviction, rejections included, and nothing else reached the listener");
            assertEquals(listener.keys.size(), new HashSet<>(listener.keys).size(), "no key removed twice");
            assertEquals(written.size(), stats.entryCount() + stats.evictionCount(),
                "distinct keys written = held + evicted");
            for (final long key : listener.keys)
            {
                assertNull(cache.peek(key), "an evicted key is gone");
            }
            assertEquals(0, stats.removalCount() + stats.expirationCount() + stats.rejectionCount());
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Expiry in every queue
    // ----------------------------------------------------------------------------------------------

    @Test
    void entriesExpireAtTheirTimeInTheWindowProbationAndProtected()
    {
        final FakeTicker ticker = new FakeTicker();
        final Recording listener = new Recording();
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1L << 20).segments(2).hashSeed(8).ticker(ticker)
            .removalListener(listener).build())
        {
            // a hot set with a TTL, read between puts of two-hit keys: it spreads over the queues
            final int hot = 300;
            long cold = 1L << 40;
            for (long key = 0; key < hot; key++)
            {
                assertTrue(cache.put(key, valueOf(key, VALUE), Duration.ofSeconds(10)));
            }
            for (int round = 0; round < 80; round++)
            {
                for (long key = 0; key < hot; key++)
                {
                    cache.get(key);
                    // read once after its put: it wins the door against an older one-hit key, so probation turns over
                    assertTrue(cache.put(cold, valueOf(cold, VALUE)));
                    cache.get(cold);
                    cold++;
                }
            }
            assertTrue(cache.stats().evictionCount() > 0);
            final int[] queues = AdaptiveQueues.entries(cache.segments());
            assertTrue(queues[AdaptiveQueues.PROBATION] > 0 && queues[AdaptiveQueues.PROTECTED] > 0,
                "records in every queue: " + java.util.Arrays.toString(queues));
            // the TTL'd keys still held: not one is expired before its time
            final Set<Long> evicted = new HashSet<>(listener.keys);
            int held = 0;
            ticker.advance(Duration.ofMillis(9_999));
            for (long key = 0; key < hot; key++)
            {
                final byte[] value = cache.peek(key);
                if (value != null)
                {
                    assertArrayEquals(valueOf(key, VALUE), value);
                    assertEquals(1, cache.ttlMillis(key), "key " + key);
                    held++;
                }
                else
                {
                    assertTrue(evicted.contains(key), "key " + key + " missing but not evicted");
                }
            }
            assertTrue(held > hot / 2, "held " + held);
            // fresh entries in the window, with the same expiry
            for (long key = hot; key < hot + 20; key++)
            {
                assertTrue(cache.put(key, valueOf(key, VALUE), Duration.ofMillis(1)));
            }
            ticker.advanceMillis(1);
            for (long key = 0; key < hot + 20; key++)
            {
                assertNull(cache.get(key), "key " + key + " is expired");
                assertEquals(OffHeapCache.ABSENT, cache.ttlMillis(key));
            }
            // unexpired one-hit keys are still there
            assertArrayEquals(valueOf(cold - 1, VALUE), cache.peek(cold - 1));
            cache.verifyInvariants();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Adaptivity
    // ----------------------------------------------------------------------------------------------

    @Test
    void theWindowGrowsForRecencyAndShrinksForFrequency()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(512 * 1024).segments(1).hashSeed(7).build())
        {
            final byte[] value = new byte[VALUE];
            final double initial = cache.stats().windowShare();
            // phase A: every key re-read 1,000 keys after its put: within the cache (about 2,900 entries)
            // even when each step also re-inserts a missed key (2,000 insertions), beyond a small window;
            // at 1,500 the distance reaches 3,000 insertions on misses, and LRU itself would miss
            final int reuse = 1_000;
            for (long key = 0; key < 60_000; key++)
            {
                cache.put(key, value);
                final long back = key - reuse;
                if (back >= 0 && cache.get(back) == null)
                {
                    cache.put(back, value);
                }
            }
            final double recency = cache.stats().windowShare();
            assertTrue(recency >= 0.5 && recency > initial, "window share after recency: " + recency + " from " +
                initial);
            // phase B: a loop over 1.5 times the entries the cache holds
            final long loop = cache.stats().entryCount() * 3 / 2;
            final long base = 1L << 40;
            final List<Double> shares = new ArrayList<>();
            for (int round = 0; round < 40; round++)
            {
                for (long k = 0; k < loop; k++)
                {
                    if (cache.get(base + k) == null)
                    {
                        cache.put(base + k, value);
                    }
                }
                shares.add(cache.stats().windowShare());
            }
            // the share moves in steps and may swing back for a while; over the last half it stays low
            final double lastHalf = shares.subList(20, 40).stream().mapToDouble(Double::doubleValue).average()
                .orElseThrow();
            final double lowest = shares.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            assertTrue(lowest <= 0.1 && lastHalf < recency / 2, "window share after each loop: " + shares +
                ", after recency: " + recency);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Large values
    // ----------------------------------------------------------------------------------------------

    @Test
    void largeValuesAreStoredReadReplacedAndRemoved()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(8L << 20).segments(4).hashSeed(11).build())
        {
            assertEquals(EvictionMode.ADAPTIVE, cache.stats().evictionMode());
            final int large = cache.maxInlineEntrySize() * 3 + 17;
            for (long key = 0; key < 4; key++)
            {
                assertTrue(cache.put(key, valueOf(key, large)));
            }
            for (long key = 0; key < 4; key++)
            {
                assertArrayEquals(valueOf(key, large), cache.get(key));
            }
            assertTrue(cache.put(1L, valueOf(101, large / 2)));
            assertArrayEquals(valueOf(101, large / 2), cache.get(1L));
            assertTrue(cache.put(2L, valueOf(102, 10)), "a large value replaced by a small one");
            assertArrayEquals(valueOf(102, 10), cache.get(2L));
            assertTrue(cache.remove(3L));
            assertNull(cache.get(3L));
            assertEquals(3, cache.size());
            cache.verifyInvariants();
            // large values under eviction: whatever is read is whole and its own
            for (long key = 10; key < 200; key++)
            {
                assertTrue(cache.put(key, valueOf(key, large)));
                final byte[] back = cache.get(key - 3);
                if (back != null)
                {
                    assertArrayEquals(valueOf(key - 3, large), back);
                }
            }
            assertTrue(cache.stats().evictionCount() > 0);
            assertFalse(cache.isClosed());
            cache.verifyInvariants();
        }
    }
}
