package dev.larder;

import static dev.larder.TestCaches.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

class RemovalListenerTest
{
    private final FakeTicker ticker = new FakeTicker();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private static String text(final DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private OffHeapCache cache(final RemovalListener listener)
    {
        return OffHeapCache.builder().capacity(64 * 1024).segments(1).ticker(ticker).removalListener(listener).build();
    }

    @Test
    void everyCauseIsReportedWithTheKeyAndValue()
    {
        try (OffHeapCache cache = cache((key, value, cause) -> events.add(cause + " " + text(key) + "=" + text(value))))
        {
            cache.put(bytes("a"), bytes("1"));
            cache.put(bytes("a"), bytes("2"));
            cache.put(bytes("a"), bytes("a much longer value that no longer fits"));
            cache.remove(bytes("a"));
            cache.put(bytes("t"), bytes("ttl"), Duration.ofMillis(10));
            ticker.advanceMillis(10);
            cache.get(bytes("t"));
            cache.put(bytes("c"), bytes("3"));
            cache.clear();
            cache.compute(bytes("d"), old -> bytes("4"));
            cache.compute(bytes("d"), old -> bytes("5"));
            cache.compute(bytes("d"), old -> null);
            assertEquals(List.of("REPLACED a=1", "REPLACED a=2", "EXPLICIT a=a much longer value that no longer fits",
                "EXPIRED t=ttl", "CLEARED c=3", "REPLACED d=4", "EXPLICIT d=5"), events);
        }
    }

    @Test
    void evictionsAreReported()
    {
        try (OffHeapCache cache = cache((key, value, cause) -> events.add(cause.name())))
        {
            for (long key = 0; key < 2000; key++)
            {
                cache.put(key, new byte[100]);
            }
            final long evicted = events.stream().filter("EVICTED"::equals).count();
            assertEquals(cache.stats().evictionCount(), evicted);
            assertTrue(evicted > 0);
            assertTrue(RemovalCause.EVICTED.wasEvicted() && RemovalCause.EXPIRED.wasEvicted());
            assertTrue(!RemovalCause.EXPLICIT.wasEvicted());
        }
    }

    @Test
    void aThrowingListenerIsCountedAndTheCacheStaysConsistent()
    {
        try (OffHeapCache cache = cache((key, value, cause) -> {
            throw new IllegalStateException("listener bug");
        }))
        {
            for (long key = 0; key < 2000; key++)
            {
                assertTrue(cache.put(key, new byte[100]));
            }
            cache.remove(1999L);
            cache.verifyInvariants();
            final CacheStats stats = cache.stats();
            assertEquals(stats.evictionCount() + 1, stats.listenerFailureCount());
            assertEquals(null, cache.get(1999L));
        }
    }

    @Test
    void aListenerThatCallsTheCacheIsStoppedAndCounted()
    {
        final OffHeapCache[] self = new OffHeapCache[1];
        try (OffHeapCache cache = cache((key, value, cause) -> self[0].get(bytes("other"))))
        {
            self[0] = cache;
            cache.put(bytes("k"), bytes("v"));
            assertTrue(cache.remove(bytes("k")));
            assertEquals(1, cache.stats().listenerFailureCount());
            cache.verifyInvariants();
        }
    }

    @Test
    void aTypedListenerDecodes()
    {
        final List<String> typed = new ArrayList<>();
        try (Cache<Long, String> cache = OffHeapCache.builder().capacity(1 << 20)
            .removalListener(RemovalListener.typed(Codecs.longs(), Codecs.utf8(),
                (Long key, String value, RemovalCause cause) -> typed.add(key + "=" + value + " " + cause)))
            .build(Codecs.longs(), Codecs.utf8()))
        {
            cache.put(7L, "seven");
            cache.remove(7L);
        }
        assertEquals(List.of("7=seven EXPLICIT"), typed);
    }
}
