package dev.larder;

import static dev.larder.TestCaches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.larder.codec.Codecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComputeTest
{
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void byteComputeKeepsReplacesAndRemoves()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).ticker(ticker).build())
        {
            assertNull(cache.compute(bytes("k"), old -> null), "absent stays absent");
            final byte[] first = cache.compute(bytes("k"), old -> old == null ? bytes("1") : old);
            assertArrayEquals(bytes("1"), first);
            assertArrayEquals(bytes("1"), cache.get(bytes("k")));

            cache.touch(bytes("k"), Duration.ofSeconds(5));
            assertArrayEquals(bytes("1"), cache.compute(bytes("k"), old -> old.clone()), "same bytes: kept");
            assertEquals(Duration.ofSeconds(5), cache.ttl(bytes("k")), "a kept entry keeps its ttl");
            assertEquals(0, cache.stats().overwriteCount());

            cache.compute(bytes("k"), old -> bytes(new String(old, java.nio.charset.StandardCharsets.UTF_8) +
                "23456789"));
            assertArrayEquals(bytes("123456789"), cache.get(bytes("k")));
            assertEquals(1, cache.stats().overwriteCount());

            assertNull(cache.compute(bytes("k"), old -> null));
            assertNull(cache.get(bytes("k")));
            assertEquals(1, cache.stats().removalCount());

            cache.compute(5L, old -> bytes("long"));
            assertArrayEquals(bytes("long"), cache.get(5L));
        }
    }

    @Test
    void typedComputeIsMapCompute()
    {
        try (Cache<String, Long> counters = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(),
            Codecs.longs()))
        {
            assertEquals(1L, counters.compute("hits", (key, old) -> old == null ? 1L : old + 1));
            assertEquals(2L, counters.compute("hits", (key, old) -> old == null ? 1L : old + 1));
            final Long[] seen = new Long[1];
            counters.compute("hits", (key, old) -> {
                seen[0] = old;
                return old;
            });
            assertEquals(2L, seen[0]);
            assertEquals(0, counters.stats().removalCount());
            assertNull(counters.compute("hits", (key, old) -> null));
            assertNull(counters.get("hits"));
            assertSame(null, counters.compute("never", (key, old) -> null));
        }
    }

    @Test
    void concurrentComputesAreAtomic() throws Exception
    {
        try (Cache<Long, Long> counters = OffHeapCache.builder().capacity(1 << 20).segments(4)
            .build(Codecs.longs(), Codecs.longs()))
        {
            final int threads = 4;
            final int increments = 20_000;
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                workers.add(new Thread(() -> {
                    for (int i = 0; i < increments; i++)
                    {
                        counters.compute((long)(i % 8), (key, old) -> old == null ? 1L : old + 1);
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (final Thread worker : workers)
            {
                worker.join();
            }
            long total = 0;
            for (long key = 0; key < 8; key++)
            {
                total += counters.get(key);
            }
            assertEquals((long)threads * increments, total);
        }
    }

    @Test
    void aRemappingFunctionThatThrowsChangesNothing()
    {
        // one segment, so that the reentrant call below meets the segment the function runs in
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(1).build())
        {
            cache.put(bytes("k"), bytes("v"));
            assertThrows(IllegalStateException.class, () -> cache.compute(bytes("k"), old -> {
                throw new IllegalStateException("boom");
            }));
            assertArrayEquals(bytes("v"), cache.get(bytes("k")));
            assertThrows(IllegalStateException.class, () -> cache.compute(bytes("k"), old -> cache.get(bytes("x"))),
                "calling the cache from the function is refused");
            assertArrayEquals(bytes("v"), cache.get(bytes("k")));
            cache.verifyInvariants();
        }
    }
}
