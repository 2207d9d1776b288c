package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: threads doing mixed get, put and remove on a small adaptive cache, so that lock-free
 * reads race the policy's moves between queues, compaction and evictions. Every value carries its
 * key and a checksum: a read must never return a torn or foreign value. Pass or fail depends on no
 * timing: each thread runs a fixed number of operations.
 */
class Issue13AdaptiveConcurrencyTest
{
    private static final int THREADS = 3;
    private static final int OPERATIONS = 150_000;
    private static final int KEYS = 4_000;

    /** A value of 16 to 400 bytes: its key, its length, filler, and a checksum of all that. */
    static byte[] value(final long key, final int length)
    {
        final byte[] value = new byte[length];
        long state = key * 0x9E37_79B9_7F4A_7C15L + length;
        for (int i = 0; i < length - Long.BYTES; i++)
        {
            state = state * 6364136223846793005L + 1442695040888963407L;
            value[i] = (byte)(state >>> 56);
        }
        final long check = checksum(key, value, length - Long.BYTES);
        for (int i = 0; i < Long.BYTES; i++)
        {
            value[length - Long.BYTES + i] = (byte)(check >>> (8 * i));
        }
        return value;
    }

    private static long checksum(final long key, final byte[] value, final int length)
    {
        long sum = key ^ length;
        for (int i = 0; i < length; i++)
        {
            sum = sum * 31 + value[i];
        }
        return sum;
    }

    static boolean sound(final long key, final byte[] value)
    {
        if (value.length < 16)
        {
            return false;
        }
        long stored = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            stored |= (value[value.length - Long.BYTES + i] & 0xFFL) << (8 * i);
        }
        return stored == checksum(key, value, value.length - Long.BYTES);
    }

    @Test
    void readsRacingAdaptiveEvictionNeverSeeATornOrForeignValue() throws InterruptedException
    {
        for (final int segments : new int[] {1, 4})
        {
            try (OffHeapCache cache = OffHeapCache.builder().capacity(256 * 1024).segments(segments).hashSeed(13)
                .build())
            {
                assertEquals(EvictionMode.ADAPTIVE, cache.stats().evictionMode());
                final AtomicLong hits = new AtomicLong();
                final AtomicReference<String> failure = new AtomicReference<>();
                final List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final SplittableRandom random = new SplittableRandom(t * 1_000_003L + segments);
                    threads.add(new Thread(() -> run(cache, random, hits, failure), "adaptive-" + t));
                }
                threads.forEach(Thread::start);
                for (final Thread thread : threads)
                {
                    thread.join();
                }
                assertEquals(null, failure.get());
                final CacheStats stats = cache.stats();
                assertTrue(stats.evictionCount() > 0 && stats.secondChanceCount() > 0, stats::toString);
                assertTrue(hits.get() > 0, "some reads hit");
                cache.verifyInvariants();
                // what the cache holds at the end is sound too
                for (long key = 0; key < KEYS; key++)
                {
                    final byte[] held = cache.peek(key);
                    assertTrue(held == null || sound(key, held), "key " + key);
                }
            }
        }
    }

    private static void run(
        final OffHeapCache cache, final SplittableRandom random, final AtomicLong hits,
        final AtomicReference<String> failure)
    {
        for (int i = 0; i < OPERATIONS && failure.get() == null; i++)
        {
            // a skewed key choice: a small hot set and a long tail, so the sketch has something to tell apart
            final long key = random.nextInt(4) == 0 ? random.nextInt(KEYS) : random.nextInt(KEYS / 20);
            final int op = random.nextInt(10);
            if (op < 6)
            {
                final byte[] read = cache.get(key);
                if (read != null)
                {
                    hits.incrementAndGet();
                    if (!sound(key, read))
                    {
                        failure.compareAndSet(null, "torn or foreign value for key " + key + " of " + read.length);
                    }
                }
            }
            else if (op < 9)
            {
                if (!cache.put(key, value(key, 16 + random.nextInt(385))))
                {
                    failure.compareAndSet(null, "put refused for key " + key);
                }
            }
            else
            {
                cache.remove(key);
            }
        }
    }
}
