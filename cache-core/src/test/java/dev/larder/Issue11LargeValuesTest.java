package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, large values: values above a segment's largest record are stored in chunks, up to
 * {@link OffHeapCache#maxEntrySize()}, a large fraction of the capacity; above it they are refused,
 * reported and counted. They are read by every read, expire, are evicted and replaced like any value.
 */
class Issue11LargeValuesTest
{
    private final FakeTicker ticker = new FakeTicker();

    /** 1 MiB over 4 segments: records of at most about 64 KiB, large values up to about 440 KiB. */
    private OffHeapCache cache(final RemovalListener listener)
    {
        final OffHeapCacheBuilder builder = OffHeapCache.builder().capacity(1 << 20).segments(4).hashSeed(11)
            .ticker(ticker);
        return (listener == null ? builder : builder.removalListener(listener)).build();
    }

    /** A value whose every byte names its version and position. */
    static byte[] pattern(final int length, final int version)
    {
        final byte[] value = new byte[length];
        for (int i = 0; i < length; i++)
        {
            value[i] = (byte)(version * 31 + i * 7 + (i >>> 8));
        }
        return value;
    }

    @Test
    void theMaximumIsALargeFractionOfTheCapacityNotOfASegment()
    {
        try (OffHeapCache cache = cache(null))
        {
            assertTrue(cache.maxInlineEntrySize() < (1 << 20) / 16, "inline: a quarter of a ring");
            assertTrue(cache.maxEntrySize() > (1 << 20) * 2 / 5, "large: " + cache.maxEntrySize());
            assertTrue(cache.maxEntrySize() <= (1 << 20) / 2, "large: " + cache.maxEntrySize());
        }
        try (OffHeapCache big = OffHeapCache.builder().capacity(64L << 20).segments(64).build())
        {
            assertTrue(big.maxInlineEntrySize() < 256 * 1024, "inline: " + big.maxInlineEntrySize());
            assertTrue(big.maxEntrySize() > 25 << 20, "large: " + big.maxEntrySize());
        }
    }

    @Test
    void aLargeValueIsReadByEveryRead()
    {
        try (OffHeapCache cache = cache(null))
        {
            final byte[] key = TestCaches.bytes("large");
            final byte[] value = pattern(cache.maxInlineEntrySize() * 3 + 5, 1);
            assertTrue(cache.put(key, value));
            assertArrayEquals(value, cache.get(key));
            assertArrayEquals(value, cache.peek(key));
            final byte[] dst = new byte[value.length + 3];
            assertEquals(value.length, cache.get(key, dst));
            assertArrayEquals(value, Arrays.copyOf(dst, value.length));
            assertEquals(value.length, cache.get(key, new byte[10]), "too small: the length, for a retry");
            final MutableDirectBuffer heap = Buffers.wrap(new byte[value.length + 7]);
            assertEquals(value.length, cache.get(key, heap, 7));
            final byte[] copied = new byte[value.length];
            heap.getBytes(7, copied);
            assertArrayEquals(value, copied);
            final MutableDirectBuffer direct = Buffers.wrap(ByteBuffer.allocateDirect(value.length + 1));
            assertEquals(value.length, cache.get(key, direct, 1));
            assertEquals(value[value.length - 1], direct.getByte(value.length));
            assertArrayEquals(value, cache.read(key, ByteCompute::copyOf));
            assertTrue(cache.containsKey(key));
            assertEquals(OffHeapCache.NO_EXPIRY, cache.ttlMillis(key));
            final CacheStats stats = cache.stats();
            assertEquals(1, stats.entryCount(), "one entry, whatever its chunks");
            assertEquals(6, stats.hitCount(), "one hit per read of the value (containsKey counts nothing)");
            assertTrue(stats.usedBytes() >= value.length && stats.usedBytes() <= stats.capacityBytes());
        }
    }

    @Test
    void longAndBufferKeysFindTheSameLargeValue()
    {
        try (OffHeapCache cache = cache(null))
        {
            final byte[] value = pattern(cache.maxInlineEntrySize() + 1, 2);
            assertTrue(cache.put(42L, value));
            assertArrayEquals(value, cache.get(TestCaches.bigEndian(42L)));
            final MutableDirectBuffer key = Buffers.wrap(new byte[12]);
            key.putBytes(2, TestCaches.bigEndian(42L));
            assertArrayEquals(value, cache.get(key, 2, 8));
            assertTrue(cache.remove(key, 2, 8));
            assertNull(cache.get(42L));
        }
    }

    @Test
    void anEntryAboveTheMaximumIsRefusedReportedAndCounted()
    {
        try (OffHeapCache cache = cache(null))
        {
            final byte[] key = TestCaches.bytes("k");
            final byte[] fits = pattern(cache.maxEntrySize() - key.length, 3);
            final byte[] tooLarge = new byte[cache.maxEntrySize() - key.length + 1];
            assertFalse(cache.put(key, tooLarge));
            assertFalse(cache.putIfAbsent(key, tooLarge));
            assertEquals(2, cache.stats().rejectionCount());
            assertNull(cache.get(key));
            assertTrue(cache.put(key, fits), "the largest value accepted");
            assertArrayEquals(fits, cache.get(key));
            assertFalse(cache.replace(key, tooLarge));
            assertEquals(3, cache.stats().rejectionCount());
            assertArrayEquals(fits, cache.get(key), "a refusal leaves the entry as it was");
        }
    }

    @Test
    void overwritesInBothDirectionsAndRemovalFreeTheChunks()
    {
        final List<String> heard = new ArrayList<>();
        try (OffHeapCache cache = cache((k, v, cause) -> heard.add(cause + ":" + v.capacity())))
        {
            final byte[] key = TestCaches.bytes("k");
            final long empty = cache.stats().usedBytes();
            final byte[] large = pattern(cache.maxInlineEntrySize() * 5, 4);
            assertTrue(cache.put(key, large));
            assertTrue(cache.stats().usedBytes() - empty >= large.length);
            assertEquals(21, cache.liveChunkCount(), "five records, in chunks of a quarter record less their headers");
            assertTrue(cache.put(key, pattern(10, 5)));
            assertArrayEquals(pattern(10, 5), cache.get(key));
            assertEquals(0, cache.liveChunkCount(), "the chunks are gone with their head");
            final byte[] again = pattern(cache.maxInlineEntrySize() * 2, 6);
            assertTrue(cache.replace(key, again));
            assertArrayEquals(again, cache.get(key));
            assertTrue(cache.remove(key));
            assertNull(cache.get(key));
            assertEquals(0, cache.liveChunkCount(), "the chunks are gone with their head");
            assertEquals(List.of("REPLACED:0", "REPLACED:10", "EXPLICIT:0"), heard,
                "a large value is heard of with an empty value; chunks are never heard of");
            assertEquals(0, cache.stats().entryCount());
        }
    }

    @Test
    void putIfAbsentAndReplaceDecideOnTheKeyAsForAnyValue()
    {
        try (OffHeapCache cache = cache(null))
        {
            final byte[] key = TestCaches.bytes("k");
            final byte[] first = pattern(cache.maxInlineEntrySize() * 2, 7);
            assertFalse(cache.replace(key, first));
            assertTrue(cache.putIfAbsent(key, first));
            assertFalse(cache.putIfAbsent(key, pattern(cache.maxInlineEntrySize() * 2, 8)));
            assertFalse(cache.putIfAbsent(key, pattern(3, 8)));
            assertArrayEquals(first, cache.get(key));
            assertEquals(0, cache.stats().rejectionCount(), "a mode that does not apply is not a rejection");
        }
    }

    @Test
    void aLargeValueExpiresAndIsTouched()
    {
        final List<RemovalCause> heard = new ArrayList<>();
        try (OffHeapCache cache = cache((k, v, cause) -> heard.add(cause)))
        {
            final byte[] key = TestCaches.bytes("k");
            final byte[] value = pattern(cache.maxInlineEntrySize() * 2, 9);
            assertTrue(cache.put(key, value, Duration.ofMillis(100)));
            assertEquals(100, cache.ttlMillis(key));
            ticker.advanceMillis(60);
            assertTrue(cache.touch(key, Duration.ofMillis(100)));
            ticker.advanceMillis(60);
            assertArrayEquals(value, cache.get(key));
            ticker.advanceMillis(60);
            assertNull(cache.get(key));
            assertEquals(List.of(RemovalCause.EXPIRED), heard);
            assertEquals(1, cache.stats().expirationCount());
            assertEquals(0, cache.liveChunkCount(), "the chunks are gone with their head");
        }
    }

    @Test
    void computeRefusesALargeValueWithoutCallingTheFunction()
    {
        try (OffHeapCache cache = cache(null))
        {
            final byte[] key = TestCaches.bytes("k");
            final byte[] value = pattern(cache.maxInlineEntrySize() * 2, 10);
            assertTrue(cache.put(key, value));
            final boolean[] called = new boolean[1];
            assertArrayEquals(value, cache.compute(key, current -> {
                called[0] = true;
                return null;
            }), "refused: the current value");
            assertFalse(called[0]);
            assertEquals(1, cache.stats().rejectionCount());
            assertArrayEquals(value, cache.get(key));
            assertTrue(cache.remove(key));
            final byte[] small = pattern(8, 11);
            assertTrue(cache.put(key, small));
            assertArrayEquals(small, cache.compute(key, current -> value),
                "a large result: refused, the current value");
            assertEquals(2, cache.stats().rejectionCount());
        }
    }

    @Test
    void iterationSeesLargeValuesAndNeverChunks()
    {
        try (OffHeapCache cache = cache(null))
        {
            final byte[] value = pattern(cache.maxInlineEntrySize() * 3, 12);
            assertTrue(cache.put(TestCaches.bytes("large"), value));
            assertTrue(cache.put(TestCaches.bytes("small"), pattern(5, 13)));
            int seen = 0;
            for (final CacheEntry<byte[], byte[]> entry : cache.entries())
            {
                seen++;
                final String key = new String(entry.key(), java.nio.charset.StandardCharsets.UTF_8);
                assertArrayEquals("large".equals(key) ? value : pattern(5, 13), entry.value(), key);
            }
            assertEquals(2, seen);
        }
    }

    @Test
    void theTypedCacheStoresAndReadsLargeValues()
    {
        try (TypedCache<String, String> typed = (TypedCache<String, String>)OffHeapCache.builder().capacity(1 << 20)
            .segments(4).hashSeed(11).build(Codecs.utf8(), Codecs.utf8()))
        {
            final String value = "v".repeat(typed.bytes().maxInlineEntrySize() * 3);
            assertTrue(typed.put("k", value));
            assertEquals(value, typed.get("k"));
            assertEquals(value.length(), (int)typed.read("k", view -> view.capacity()));
            assertEquals(value, typed.compute("k", (k, v) -> "other"), "refused: the current value");
            assertEquals(1, typed.stats().rejectionCount());
            assertEquals(value, typed.get("k"));
        }
    }

    @Test
    void evictionUnderPressureKeepsTheAccountingExact()
    {
        final List<RemovalCause> heard = new ArrayList<>();
        try (OffHeapCache cache = cache((k, v, cause) -> heard.add(cause)))
        {
            final int length = cache.maxEntrySize() / 3;
            for (int i = 0; i < 20; i++)
            {
                assertTrue(cache.put(TestCaches.bytes("k" + i), pattern(length, i)));
                final CacheStats stats = cache.stats();
                assertTrue(stats.usedBytes() <= stats.capacityBytes(), "used " + stats.usedBytes());
                cache.verifyInvariants();
            }
            int present = 0;
            for (int i = 0; i < 20; i++)
            {
                final byte[] read = cache.get(TestCaches.bytes("k" + i));
                if (read != null)
                {
                    assertArrayEquals(pattern(length, i), read);
                    present++;
                }
            }
            assertTrue(present >= 2, "the last values are there: " + present);
            final CacheStats stats = cache.stats();
            assertEquals(present, stats.entryCount(), "dead heads were removed by the reads");
            assertEquals(20 - present, stats.evictionCount());
            assertEquals(20 - present, heard.stream().filter(c -> c == RemovalCause.EVICTED).count());
        }
    }
}
