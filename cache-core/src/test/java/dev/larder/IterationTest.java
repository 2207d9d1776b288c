package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class IterationTest
{
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void everyLiveEntryOnceWithItsTtlAndNoExpiredOnes()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(4 << 20).segments(16).ticker(ticker).build())
        {
            for (long key = 0; key < 1000; key++)
            {
                if (key % 10 == 0)
                {
                    cache.put(key, TestCaches.bigEndian(key), Duration.ofSeconds(1));
                }
                else
                {
                    cache.put(key, TestCaches.bigEndian(key * 3), key % 10 == 1 ? Duration.ofHours(1) :
                        Duration.ofDays(1));
                }
            }
            ticker.advance(Duration.ofSeconds(1));
            final Map<Long, Long> seen = new HashMap<>();
            for (final CacheEntry<byte[], byte[]> entry : cache.entries())
            {
                final long key = ByteBuffer.wrap(entry.key()).getLong();
                assertEquals(null, seen.put(key, ByteBuffer.wrap(entry.value()).getLong()), "seen once: " + key);
                assertEquals(key % 10 == 1 ? Duration.ofHours(1).minusSeconds(1) : Duration.ofDays(1).minusSeconds(1),
                    entry.ttl());
            }
            assertEquals(900, seen.size());
            seen.forEach((key, value) -> assertEquals(key * 3, value));
            assertEquals(0, cache.stats().hitCount() + cache.stats().missCount(), "iteration counts nothing");
        }
    }

    @Test
    void concurrentWritesNeverBreakIteration() throws Exception
    {
        try (Cache<Long, String> cache = OffHeapCache.builder().capacity(4 << 20).segments(8)
            .build(Codecs.longs(), Codecs.utf8()))
        {
            for (long key = 0; key < 2000; key++)
            {
                cache.put(key, "stable-" + key);
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread writer = new Thread(() -> {
                long key = 10_000;
                while (!stop.get())
                {
                    cache.put(key, "churn");
                    cache.remove(key - 50);
                    key++;
                }
            });
            writer.start();
            try
            {
                for (int round = 0; round < 5; round++)
                {
                    final Set<Long> stable = new HashSet<>();
                    for (final CacheEntry<Long, String> entry : cache.entries())
                    {
                        if (entry.key() < 2000)
                        {
                            assertEquals("stable-" + entry.key(), entry.value());
                            assertTrue(stable.add(entry.key()), "no duplicates");
                        }
                        else
                        {
                            assertEquals("churn", entry.value());
                        }
                    }
                    assertEquals(2000, stable.size(), "entries present throughout are all seen");
                }
            }
            finally
            {
                stop.set(true);
                writer.join();
            }
        }
    }

    @Test
    void noLockIsHeldWhileTheCallerRuns()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(1).build())
        {
            cache.put(1L, new byte[] {1});
            cache.put(2L, new byte[] {2});
            int count = 0;
            for (final CacheEntry<byte[], byte[]> entry : cache.entries())
            {
                // writing from inside the loop would deadlock or throw if a lock were held
                assertTrue(cache.put(100L + count, entry.value()));
                count++;
            }
            assertTrue(count >= 2);
        }
    }

    @Test
    void anExhaustedIteratorSaysSo()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).build())
        {
            final Iterator<CacheEntry<byte[], byte[]>> iterator = cache.entries().iterator();
            assertFalse(iterator.hasNext());
            assertThrows(NoSuchElementException.class, iterator::next);
        }
    }
}
