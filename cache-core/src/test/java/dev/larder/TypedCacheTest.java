package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codec;
import dev.larder.codec.Codecs;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TypedCacheTest
{
    private final FakeTicker ticker = new FakeTicker();
    private final Cache<Long, String> cache = OffHeapCache.builder().capacity(1 << 20).segments(4).ticker(ticker)
        .build(Codecs.longs(), Codecs.utf8());

    @AfterEach
    void close()
    {
        if (!cache.bytes().isClosed())
        {
            cache.bytes().verifyInvariants();
            cache.close();
        }
    }

    @Test
    void putGetAndTheWayBackToBytes()
    {
        assertTrue(cache.put(1L, "one"));
        assertTrue(cache.put(2L, "twö €"));
        assertEquals("one", cache.get(1L));
        assertEquals("twö €", cache.get(2L));
        assertNull(cache.get(3L));
        assertArrayEquals(TestCaches.bytes("one"), cache.bytes().get(1L),
            "Long keys are the long keys of the byte API");
        cache.bytes().put(3L, TestCaches.bytes("three"));
        assertEquals("three", cache.get(3L));
        assertEquals(3, cache.stats().entryCount());
    }

    @Test
    void everyOperation()
    {
        assertTrue(cache.putIfAbsent(1L, "a"));
        assertFalse(cache.putIfAbsent(1L, "b"));
        assertTrue(cache.replace(1L, "c"));
        assertFalse(cache.replace(9L, "x"));
        assertTrue(cache.containsKey(1L));
        assertTrue(cache.touch(1L, Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(10), cache.ttl(1L));
        assertNull(cache.ttl(9L));
        assertTrue(cache.put(2L, "b", Duration.ofMillis(5)));
        ticker.advanceMillis(5);
        assertNull(cache.get(2L));
        assertTrue(cache.remove(1L));
        assertFalse(cache.remove(1L));
        final Map<Long, String> batch = new LinkedHashMap<>();
        for (long key = 10; key < 20; key++)
        {
            batch.put(key, "v" + key);
        }
        assertEquals(10, cache.putAll(batch));
        final Map<Long, String> found = cache.getAll(List.of(12L, 99L, 15L));
        assertEquals(Map.of(12L, "v12", 15L, "v15"), found);
        assertEquals(List.of(12L, 15L), List.copyOf(found.keySet()), "in the order asked");
        cache.clear();
        assertEquals(0, cache.stats().entryCount());
    }

    @Test
    void stringKeysCompareByEncodedBytes()
    {
        try (Cache<String, String> strings = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(),
            Codecs.utf8()))
        {
            strings.put("", "empty key");
            strings.put("𝄞", "clef");
            strings.put(new String("key"), "value");
            assertEquals("empty key", strings.get(""));
            assertEquals("clef", strings.get("𝄞"));
            assertEquals("value", strings.get("key"));
            strings.put("key", "");
            assertEquals("", strings.get("key"), "empty values work");
        }
    }

    @Test
    void oversizedValuesAreRefusedAndCounted()
    {
        final String huge = "x".repeat(cache.bytes().maxEntrySize());
        cache.put(1L, "kept");
        assertFalse(cache.put(1L, huge));
        assertEquals("kept", cache.get(1L));
        assertEquals(1, cache.stats().rejectionCount());
        assertEquals("kept", cache.compute(1L, (k, v) -> huge), "refused: compute returns the current value");
        assertEquals("kept", cache.get(1L));
        assertEquals(2, cache.stats().rejectionCount());
    }

    @Test
    void getsOfGrowingValuesDecodeEachExactlyOnceCounted()
    {
        try (Cache<Long, byte[]> raw = OffHeapCache.builder().capacity(8 << 20).segments(1)
            .build(Codecs.longs(), Codecs.byteArray()))
        {
            // under the first scratch size, over it, over the size a thread keeps, then small again
            final int[] sizes = {10, 300, 5000, 100_000, 7, 0};
            for (int i = 0; i < sizes.length; i++)
            {
                final byte[] value = new byte[sizes[i]];
                for (int b = 0; b < value.length; b++)
                {
                    value[b] = (byte)(b * 31 + i);
                }
                assertTrue(raw.put((long)i, value));
                assertArrayEquals(value, raw.get((long)i), "size " + sizes[i]);
            }
            assertNull(raw.get(99L));
            final CacheStats stats = raw.stats();
            assertEquals(sizes.length, stats.hitCount(), "a get that grows the scratch counts one hit: " + stats);
            assertEquals(1, stats.missCount(), stats.toString());
        }
    }

    @Test
    void theLargestEntryRoundTripsThroughTheCodecs()
    {
        final int longest = cache.bytes().maxEntrySize() - Long.BYTES;
        final String value = "é".repeat(longest / 2) + "x".repeat(longest % 2);
        assertEquals(longest, value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertTrue(cache.put(1L, value));
        assertEquals(value, cache.get(1L));
        assertFalse(cache.put(2L, value + "x"), "one byte more is refused");
        // second chance: its records reach a quarter of the ring, so the longest key fits one (adaptive
        // records are a page, a 64th of the ring)
        try (Cache<byte[], byte[]> raw = OffHeapCache.builder().capacity(4 << 20).segments(1)
            .eviction(EvictionMode.SECOND_CHANCE).build(Codecs.byteArray(), Codecs.byteArray()))
        {
            final byte[] key = new byte[0xFFFF];
            final byte[] bigValue = new byte[raw.bytes().maxEntrySize() - key.length];
            bigValue[bigValue.length - 1] = 9;
            assertTrue(raw.put(key, bigValue), "the longest key with the longest value beside it");
            assertArrayEquals(bigValue, raw.get(key));
        }
    }

    @Test
    void nullsAreRefusedByName()
    {
        assertEquals("key", assertThrows(NullPointerException.class, () -> cache.get(null)).getMessage());
        assertEquals("value", assertThrows(NullPointerException.class, () -> cache.put(1L, null)).getMessage());
        assertEquals("loader", assertThrows(NullPointerException.class, () -> cache.get(1L, null)).getMessage());
        assertEquals("reader", assertThrows(NullPointerException.class, () -> cache.read(1L, null)).getMessage());
    }

    /** A codec that lies: writes more than it announced. */
    private static final class OverflowingCodec implements Codec<String>
    {
        @Override
        public int encodedLength(final String value)
        {
            return value.length();
        }

        @Override
        public void encode(final String value, final MutableDirectBuffer buffer, final int offset)
        {
            for (int i = 0; i <= value.length(); i++)
            {
                buffer.putByte(offset + i, (byte)'x');
            }
        }

        @Override
        public String decode(final DirectBuffer buffer, final int offset, final int length)
        {
            return buffer.getStringWithoutLengthAscii(offset, length);
        }
    }

    @Test
    void aCodecThatOverrunsItsLengthFailsWithoutDamage()
    {
        try (Cache<Long, String> lying = OffHeapCache.builder().capacity(1 << 20).segments(1)
            .build(Codecs.longs(), new OverflowingCodec()))
        {
            lying.bytes().put(1L, TestCaches.bytes("before"));
            lying.bytes().put(2L, TestCaches.bytes("neighbour"));
            assertThrows(IndexOutOfBoundsException.class, () -> lying.put(3L, "abc"), "append path");
            assertThrows(IndexOutOfBoundsException.class, () -> lying.put(1L, "abc"), "in-place path");
            assertNull(lying.bytes().get(3L));
            assertNull(lying.bytes().get(1L), "a failed overwrite leaves the key absent, never half-written");
            assertArrayEquals(TestCaches.bytes("neighbour"), lying.bytes().get(2L));
            lying.bytes().verifyInvariants();
            assertTrue(lying.bytes().put(4L, TestCaches.bytes("after")));
        }
    }

    @Test
    void aCodecCannotCallTheCache()
    {
        final Cache<?, ?>[] self = new Cache<?, ?>[1];
        final Codec<String> reentrant = new Codec<>()
        {
            @Override
            public int encodedLength(final String value)
            {
                return 1;
            }

            @Override
            public void encode(final String value, final MutableDirectBuffer buffer, final int offset)
            {
                self[0].stats();
            }

            @Override
            public String decode(final DirectBuffer buffer, final int offset, final int length)
            {
                return "";
            }
        };
        try (Cache<Long, String> typed = OffHeapCache.builder().capacity(1 << 20).segments(1)
            .build(Codecs.longs(), reentrant))
        {
            self[0] = typed;
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> typed.put(1L, "v"));
            assertEquals("the cache must not be called from its own callbacks: callback=Codec.encode", ex.getMessage());
            typed.bytes().verifyInvariants();
        }
    }

    @Test
    void numbersAreBigEndianOnTheWire()
    {
        try (Cache<Integer, Long> numbers = OffHeapCache.builder().capacity(1 << 20).build(Codecs.integers(),
            Codecs.longs()))
        {
            numbers.put(7, 0x0102030405060708L);
            final byte[] raw = numbers.bytes().get(new byte[] {0, 0, 0, 7});
            assertEquals(0x0102030405060708L, java.nio.ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).getLong());
            assertEquals(0x0102030405060708L, numbers.get(7));
        }
    }
}
