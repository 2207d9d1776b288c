package dev.larder;

import static dev.larder.TestCaches.bigEndian;
import static dev.larder.TestCaches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.internal.Memories;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffHeapCacheTest
{
    private final FakeTicker ticker = new FakeTicker();
    private final OffHeapCache cache = TestCaches.small(ticker);

    @AfterEach
    void verifyAndClose()
    {
        if (!cache.isClosed())
        {
            cache.verifyInvariants();
            cache.close();
        }
    }

    @Test
    void putThenGetReturnsACopyOfTheValue()
    {
        assertTrue(cache.put(bytes("alpha"), bytes("one")));
        assertArrayEquals(bytes("one"), cache.get(bytes("alpha")));
        assertNull(cache.get(bytes("beta")));
        final CacheStats stats = cache.stats();
        assertEquals(1, stats.hitCount());
        assertEquals(1, stats.missCount());
        assertEquals(1, stats.putCount());
        assertEquals(1, stats.entryCount());
        assertEquals(0.5, stats.hitRate());
    }

    @Test
    void overwriteInPlaceAndByRelocation()
    {
        cache.put(bytes("k"), new byte[64]);
        assertTrue(cache.put(bytes("k"), bytes("short")));
        assertArrayEquals(bytes("short"), cache.get(bytes("k")));
        final byte[] large = new byte[500];
        large[499] = 7;
        assertTrue(cache.put(bytes("k"), large));
        assertArrayEquals(large, cache.get(bytes("k")));
        final CacheStats stats = cache.stats();
        assertEquals(2, stats.overwriteCount());
        assertEquals(3, stats.putCount());
        assertEquals(1, stats.entryCount());
    }

    @Test
    void copyingGetReturnsLengthAndCopiesOnlyWhenItFits()
    {
        cache.put(bytes("k"), bytes("0123456789"));
        final byte[] small = new byte[4];
        assertEquals(10, cache.get(bytes("k"), small));
        assertArrayEquals(new byte[4], small);
        final byte[] big = new byte[16];
        assertEquals(10, cache.get(bytes("k"), big));
        assertEquals("0123456789", new String(big, 0, 10, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(OffHeapCache.ABSENT, cache.get(bytes("nope"), big));
    }

    @Test
    void emptyKeysAndValuesWork()
    {
        assertTrue(cache.put(new byte[0], new byte[0]));
        assertArrayEquals(new byte[0], cache.get(new byte[0]));
        assertEquals(0, cache.get(new byte[0], new byte[0]));
        assertTrue(cache.put(bytes("e"), new byte[0]));
        assertArrayEquals(new byte[0], cache.get(bytes("e")));
        assertTrue(cache.remove(new byte[0]));
        assertNull(cache.get(new byte[0]));
    }

    @Test
    void longKeysAreTheirBigEndianBytes()
    {
        assertTrue(cache.put(42L, bytes("answer")));
        assertArrayEquals(bytes("answer"), cache.get(bigEndian(42L)));
        cache.put(bigEndian(-1L), bytes("minus one"));
        assertArrayEquals(bytes("minus one"), cache.get(-1L));
        final byte[] dst = new byte[32];
        assertEquals(6, cache.get(42L, dst));
        assertTrue(cache.containsKey(42L));
        assertTrue(cache.remove(42L));
        assertFalse(cache.containsKey(bigEndian(42L)));
    }

    @Test
    void directBufferKeysAndValuesAreRanges()
    {
        // Agrona's buffer classes need the Agrona flag, so callers of this API have it
        assumeTrue(Memories.agronaAvailable(), "Agrona buffers need --add-exports");
        final MutableDirectBuffer key = new UnsafeBuffer(new byte[32]);
        final MutableDirectBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        key.putBytes(5, bytes("user:17"));
        value.putBytes(3, bytes("payload"));
        assertTrue(cache.put(key, 5, 7, value, 3, 7));
        assertArrayEquals(bytes("payload"), cache.get(bytes("user:17")));
        assertArrayEquals(bytes("payload"), cache.get(key, 5, 7));

        final MutableDirectBuffer dst = new UnsafeBuffer(new byte[16]);
        assertEquals(7, cache.get(key, 5, 7, dst, 2));
        final byte[] copied = new byte[7];
        dst.getBytes(2, copied);
        assertArrayEquals(bytes("payload"), copied);
        final MutableDirectBuffer tiny = new UnsafeBuffer(new byte[4]);
        assertEquals(7, cache.get(key, 5, 7, tiny, 0), "length is returned even when it does not fit");
        final ExpandableDirectByteBuffer expandable = new ExpandableDirectByteBuffer(2);
        assertEquals(7, cache.get(key, 5, 7, expandable, 10), "an expandable buffer always fits");
        expandable.getBytes(10, copied);
        assertArrayEquals(bytes("payload"), copied);

        assertTrue(cache.containsKey(key, 5, 7));
        assertTrue(cache.touch(key, 5, 7, Duration.ofSeconds(5)));
        assertEquals(5000, cache.ttlMillis(key, 5, 7));
        assertTrue(cache.remove(key, 5, 7));
        assertEquals(OffHeapCache.ABSENT, cache.get(key, 5, 7, dst, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.get(key, 30, 7));
    }

    @Test
    void putIfAbsentAndReplace()
    {
        assertFalse(cache.replace(bytes("k"), bytes("x")));
        assertNull(cache.get(bytes("k")));
        assertTrue(cache.putIfAbsent(bytes("k"), bytes("first")));
        assertFalse(cache.putIfAbsent(bytes("k"), bytes("second")));
        assertArrayEquals(bytes("first"), cache.get(bytes("k")));
        assertTrue(cache.replace(bytes("k"), bytes("third")));
        assertArrayEquals(bytes("third"), cache.get(bytes("k")));
        assertTrue(cache.putIfAbsent(7L, bytes("l")));
        assertTrue(cache.replace(7L, bytes("m")));
        assertArrayEquals(bytes("m"), cache.get(7L));
    }

    @Test
    void putIfAbsentStoresOverAnExpiredEntry()
    {
        cache.put(bytes("k"), bytes("old"), Duration.ofMillis(10));
        ticker.advanceMillis(10);
        assertTrue(cache.putIfAbsent(bytes("k"), bytes("new")));
        assertArrayEquals(bytes("new"), cache.get(bytes("k")));
        assertEquals(1, cache.stats().expirationCount());
    }

    @Test
    void ttlExpiresAtExactlyItsMillisecond()
    {
        cache.put(bytes("k"), bytes("v"), Duration.ofMillis(1500));
        ticker.advanceMillis(1499);
        assertArrayEquals(bytes("v"), cache.get(bytes("k")));
        assertEquals(1, cache.ttlMillis(bytes("k")));
        ticker.advanceMillis(1);
        assertNull(cache.get(bytes("k")));
        assertEquals(OffHeapCache.ABSENT, cache.ttlMillis(bytes("k")));
        final CacheStats stats = cache.stats();
        assertEquals(1, stats.expirationCount());
        assertEquals(0, stats.entryCount(), "a noticed expired entry is not counted");
        assertEquals(1, stats.missCount());
    }

    @Test
    void ttlsOfYearsWork()
    {
        final Duration tenYears = Duration.ofDays(3650);
        cache.put(bytes("k"), bytes("v"), tenYears);
        assertEquals(tenYears, cache.ttl(bytes("k")));
        ticker.advance(Duration.ofDays(3649));
        assertEquals(Duration.ofDays(1), cache.ttl(bytes("k")));
        ticker.advance(Duration.ofDays(1));
        assertNull(cache.ttl(bytes("k")));
        cache.put(bytes("max"), bytes("v"), OffHeapCache.MAX_TTL);
        assertEquals(OffHeapCache.MAX_TTL, cache.ttl(bytes("max")));
    }

    @Test
    void entriesWithoutTtlNeverExpire()
    {
        cache.put(bytes("k"), bytes("v"));
        ticker.advance(Duration.ofDays(100_000));
        assertArrayEquals(bytes("v"), cache.get(bytes("k")));
        assertEquals(ChronoUnit.FOREVER.getDuration(), cache.ttl(bytes("k")));
        assertEquals(OffHeapCache.NO_EXPIRY, cache.ttlMillis(bytes("k")));
    }

    @Test
    void defaultTtlAppliesToPutsWithoutOne()
    {
        try (OffHeapCache withDefault = OffHeapCache.builder().capacity(1 << 20).segments(4).ticker(ticker)
            .defaultTtl(Duration.ofSeconds(30)).build())
        {
            withDefault.put(bytes("k"), bytes("v"));
            withDefault.put(bytes("own"), bytes("v"), Duration.ofSeconds(60));
            assertEquals(Duration.ofSeconds(30), withDefault.ttl(bytes("k")));
            ticker.advance(Duration.ofSeconds(30));
            assertNull(withDefault.get(bytes("k")));
            assertArrayEquals(bytes("v"), withDefault.get(bytes("own")));
        }
    }

    @Test
    void touchSetsANewTtlFromNow()
    {
        cache.put(bytes("k"), bytes("v"), Duration.ofSeconds(1));
        ticker.advanceMillis(900);
        assertTrue(cache.touch(bytes("k"), Duration.ofSeconds(1)));
        ticker.advanceMillis(900);
        assertArrayEquals(bytes("v"), cache.get(bytes("k")));
        ticker.advanceMillis(100);
        assertNull(cache.get(bytes("k")));
        assertFalse(cache.touch(bytes("k"), Duration.ofSeconds(1)), "touch does not revive an expired entry");
    }

    @Test
    void peekCountsNothing()
    {
        cache.put(bytes("k"), bytes("v"));
        assertArrayEquals(bytes("v"), cache.peek(bytes("k")));
        assertNull(cache.peek(bytes("absent")));
        assertEquals(1, cache.peek(bytes("k"), new byte[1]));
        assertTrue(cache.containsKey(bytes("k")));
        final CacheStats stats = cache.stats();
        assertEquals(0, stats.hitCount());
        assertEquals(0, stats.missCount());
    }

    @Test
    void removeCountsRemovals()
    {
        cache.put(bytes("k"), bytes("v"));
        assertTrue(cache.remove(bytes("k")));
        assertFalse(cache.remove(bytes("k")));
        assertEquals(1, cache.stats().removalCount());
        assertEquals(0, cache.stats().entryCount());
    }

    @Test
    void oversizedEntriesAreRejectedAndCounted()
    {
        final int max = cache.maxEntrySize();
        cache.put(bytes("keep"), bytes("me"));
        final CacheStats before = cache.stats();
        assertFalse(cache.put(new byte[10], new byte[max - 9]));
        assertFalse(cache.put(bytes("keep"), new byte[max]), "an oversized overwrite leaves the old value");
        assertFalse(cache.put(new byte[65536], new byte[0]), "keys are at most 65535 bytes");
        assertArrayEquals(bytes("me"), cache.get(bytes("keep")));
        final CacheStats after = cache.stats();
        assertEquals(3, after.rejectionCount());
        assertEquals(before.putCount(), after.putCount());
        assertEquals(before.entryCount(), after.entryCount());
        assertTrue(cache.put(new byte[10], new byte[max - 10]), "exactly the limit fits");
    }

    @Test
    void nullArgumentsNameTheArgument()
    {
        assertEquals("key", assertThrows(NullPointerException.class, () -> cache.put(null, bytes("v"))).getMessage());
        assertEquals("value", assertThrows(NullPointerException.class, () -> cache.put(bytes("k"), null)).getMessage());
        assertEquals("value", assertThrows(NullPointerException.class, () -> cache.put(1L, null)).getMessage());
        assertEquals("ttl", assertThrows(NullPointerException.class,
            () -> cache.put(bytes("k"), bytes("v"), null)).getMessage());
        assertEquals("key", assertThrows(NullPointerException.class, () -> cache.get((byte[])null)).getMessage());
        assertEquals("dst", assertThrows(NullPointerException.class, () -> cache.get(bytes("k"), null)).getMessage());
        assertEquals("key", assertThrows(NullPointerException.class,
            () -> cache.get((DirectBuffer)null, 0, 0)).getMessage());
        assertEquals("key", assertThrows(NullPointerException.class, () -> cache.remove((byte[])null)).getMessage());
        assertEquals("key", assertThrows(NullPointerException.class,
            () -> cache.containsKey((byte[])null)).getMessage());
        assertEquals("key", assertThrows(NullPointerException.class,
            () -> cache.touch((byte[])null, Duration.ofSeconds(1))).getMessage());
        assertEquals(0, cache.stats().putCount());
    }

    @Test
    void ttlOfZeroOrBelowOrAboveTheMaximumIsRefused()
    {
        for (final Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-5), Duration.ofNanos(999_999),
            OffHeapCache.MAX_TTL.plusMillis(1)})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> cache.put(bytes("k"), bytes("v"), bad));
            assertEquals("ttl must be at least 1 ms and at most 365000 days: ttl=" + bad, ex.getMessage());
        }
        assertNull(cache.get(bytes("k")), "a refused put changes nothing");
    }

    @Test
    void clearRemovesEverythingAndKeepsStats()
    {
        for (int i = 0; i < 1000; i++)
        {
            cache.put(i, new byte[20]);
        }
        cache.clear();
        assertEquals(0, cache.stats().entryCount());
        assertNull(cache.get(5L));
        assertEquals(1000, cache.stats().putCount());
        assertTrue(cache.put(5L, bytes("again")));
        assertArrayEquals(bytes("again"), cache.get(5L));
    }

    @Test
    void closeFreesAndLaterCallsThrow()
    {
        cache.put(bytes("k"), bytes("v"));
        cache.close();
        cache.close();
        assertTrue(cache.isClosed());
        assertTrue(cache.toString().endsWith(", closed}"), cache.toString());
        for (final Runnable call : new Runnable[] {
            () -> cache.get(bytes("k")), () -> cache.put(bytes("k"), bytes("v")), () -> cache.remove(1L),
            () -> cache.containsKey(bytes("k")), cache::stats, cache::clear, () -> cache.ttl(bytes("k")),
            () -> cache.get(1L, new byte[8]), () -> cache.peek(bytes("k"))})
        {
            assertEquals("cache is closed", assertThrows(IllegalStateException.class, call::run).getMessage());
        }
    }

    @Test
    void byteAccountingStaysWithinCapacity()
    {
        for (int i = 0; i < 50_000; i++)
        {
            cache.put(i, new byte[i % 300]);
        }
        final CacheStats stats = cache.stats();
        assertTrue(stats.allocatedBytes() <= stats.capacityBytes(), stats.toString());
        assertTrue(stats.usedBytes() <= stats.allocatedBytes(), stats.toString());
        assertTrue(stats.allocatedBytes() > stats.capacityBytes() * 0.99, stats.toString());
        assertTrue(stats.evictionCount() > 0, stats.toString());
        assertEquals(1 << 20, stats.capacityBytes());
    }

    @Test
    void distinctKeysWithTheSameHashAreKeptApart()
    {
        // a 1-segment cache and keys whose tags collide are found by brute force over a fixed seed
        try (OffHeapCache one = OffHeapCache.builder().capacity(1 << 20).segments(1).hashSeed(7).build())
        {
            final long[] pair = TagCollisions.find(7);
            one.put(pair[0], bytes("first"));
            one.put(pair[1], bytes("second"));
            assertArrayEquals(bytes("first"), one.get(pair[0]));
            assertArrayEquals(bytes("second"), one.get(pair[1]));
            assertTrue(one.remove(pair[0]));
            assertArrayEquals(bytes("second"), one.get(pair[1]));
            one.verifyInvariants();
        }
    }
}
