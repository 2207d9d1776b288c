package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: threads write, overwrite, remove and read the same few large keys at once. Every value
 * names its key, its version and its length in a header, and every byte after it is a function of
 * those, so a read that mixed the chunks of two values, or returned another key's value, fails. Bounded by
 * operation counts, not time.
 */
class Issue11LargeValuesConcurrencyTest
{
    private static final int THREADS = 4;
    private static final int KEYS = 3;
    private static final int HEADER = 16;

    /** key(4) version(8) length(4), then bytes that depend on all three and their position. */
    static byte[] value(final int key, final long version, final int length)
    {
        final byte[] value = new byte[length];
        final ByteBuffer header = ByteBuffer.wrap(value);
        header.putInt(key).putLong(version).putInt(length);
        for (int i = HEADER; i < length; i++)
        {
            value[i] = (byte)(key * 131 + version * 31 + i * 7 + (i >>> 9));
        }
        return value;
    }

    /** @return null when {@code value} is whole and {@code key}'s, else what is wrong */
    static String check(final int key, final byte[] value, final int length)
    {
        if (length < HEADER)
        {
            return "short value: " + length;
        }
        final ByteBuffer header = ByteBuffer.wrap(value);
        final int storedKey = header.getInt(0);
        final long version = header.getLong(4);
        if (storedKey != key || header.getInt(12) != length)
        {
            return "foreign or torn header: key=" + key + ", stored key=" + storedKey + ", length=" + length +
                ", stored length=" + header.getInt(12);
        }
        for (int i = HEADER; i < length; i++)
        {
            if (value[i] != (byte)(key * 131 + version * 31 + i * 7 + (i >>> 9)))
            {
                return "mixed value: key=" + key + ", version=" + version + ", byte " + i + " of " + length;
            }
        }
        return null;
    }

    /**
     * Eviction pressure: values of 2 to 12 chunks in a cache that holds a few of them, so chunks
     * are evicted while their values are read and replaced. Reads may miss; they never mix.
     */
    @Test
    void readersNeverSeeAMixOfTwoValuesUnderPressure() throws InterruptedException
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(16).hashSeed(111).build())
        {
            final int inline = cache.maxInlineEntrySize();
            final Stats stats = hammer(cache, 3_000, inline / 2, inline * 3);
            assertTrue(stats.wholeReads.get() > 600, "reads that found a value: " + stats.wholeReads);
            cache.verifyInvariants();
            final CacheStats counted = cache.stats();
            assertTrue(counted.usedBytes() <= counted.capacityBytes());
        }
    }

    /**
     * Room to spare (the chunks written all fit): after every key is removed, no chunk is left:
     * overwrites, refused putIfAbsents and removals racing each other leave no orphan.
     */
    @Test
    void racingWritersLeaveNoChunkBehind() throws InterruptedException
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(32 << 20).segments(256).hashSeed(112).build())
        {
            final int inline = cache.maxInlineEntrySize();
            final Stats stats = hammer(cache, 150, inline + 1, inline * 5 / 4);
            assertTrue(stats.wholeReads.get() > 50, "reads that found a value: " + stats.wholeReads);
            assertEquals(0, cache.stats().evictionCount(), "sized so that nothing is evicted");
            for (int key = 0; key < KEYS; key++)
            {
                cache.remove(key);
            }
            cache.verifyInvariants();
            assertEquals(0, cache.stats().entryCount());
            assertEquals(0, cache.liveChunkCount(), "every chunk left with its head");
        }
    }

    /** Readers of multi-chunk values while the cache closes: a whole value or "cache is closed", nothing else. */
    @Test
    void aCloseDuringMultiChunkReadsEndsThemCleanly() throws InterruptedException
    {
        final OffHeapCache cache = OffHeapCache.builder().capacity(4 << 20).segments(32).hashSeed(113).build();
        final int length = cache.maxInlineEntrySize() * 6;
        for (int key = 0; key < KEYS; key++)
        {
            assertTrue(cache.put(key, value(key, 1, length)));
        }
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong reads = new AtomicLong();
        final CountDownLatch reading = new CountDownLatch(THREADS);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final int thread = t;
            threads.add(new Thread(() ->
            {
                final byte[] dst = new byte[length];
                try
                {
                    for (int i = 0; ; i++)
                    {
                        final int key = (thread + i) % KEYS;
                        final int read = thread % 2 == 0 ? cache.get(key, dst) : lengthOf(cache.read(key, view ->
                        {
                            view.getBytes(0, dst, 0, view.capacity());
                            return view.capacity();
                        }));
                        if (read != length || check(key, dst, length) != null)
                        {
                            failures.add("read " + read + ": " + check(key, dst, read));
                        }
                        reads.incrementAndGet();
                        if (i == 20)
                        {
                            reading.countDown();
                        }
                    }
                }
                catch (final IllegalStateException ex)
                {
                    if (!"cache is closed".equals(ex.getMessage()))
                    {
                        failures.add(ex.toString());
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        reading.await();
        cache.close();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(reads.get() >= THREADS * 20L);
        assertEquals(0, cache.unfreedBytes());
    }

    private static int lengthOf(final Integer read)
    {
        return read == null ? OffHeapCache.ABSENT : read;
    }

    /** What the threads saw. */
    private static final class Stats
    {
        final AtomicLong wholeReads = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    }

    /**
     * {@link #THREADS} threads, each doing {@code ops} random operations on {@link #KEYS} keys:
     * put, putIfAbsent, replace (large values of {@code minLength} to {@code maxLength} bytes, now
     * and then a small one), remove, and the three reads, each read checked whole.
     */
    private static Stats hammer(final OffHeapCache cache, final int ops, final int minLength, final int maxLength)
        throws InterruptedException
    {
        final Stats stats = new Stats();
        final AtomicLong versions = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final SplittableRandom random = new SplittableRandom(1100 + t);
            threads.add(new Thread(() ->
            {
                final byte[] dst = new byte[maxLength];
                for (int i = 0; i < ops && stats.failures.isEmpty(); i++)
                {
                    final int key = random.nextInt(KEYS);
                    final int op = random.nextInt(10);
                    if (op < 4)
                    {
                        final int length = random.nextInt(8) == 0 ? HEADER + random.nextInt(64) :
                            minLength + random.nextInt(maxLength - minLength + 1);
                        final byte[] value = value(key, versions.incrementAndGet(), length);
                        if (op == 0)
                        {
                            cache.putIfAbsent(key, value);
                        }
                        else if (op == 1)
                        {
                            cache.replace(key, value);
                        }
                        else
                        {
                            cache.put(key, value);
                        }
                    }
                    else if (op == 4)
                    {
                        cache.remove(key);
                    }
                    else
                    {
                        final int read;
                        final byte[] bytes;
                        if (op < 7)
                        {
                            bytes = cache.get(key);
                            read = bytes == null ? OffHeapCache.ABSENT : bytes.length;
                        }
                        else if (op < 9)
                        {
                            read = cache.get(key, dst);
                            bytes = dst;
                        }
                        else
                        {
                            bytes = dst;
                            read = lengthOf(cache.read(key, view ->
                            {
                                view.getBytes(0, dst, 0, view.capacity());
                                return view.capacity();
                            }));
                        }
                        if (read >= 0)
                        {
                            final String wrong = check(key, bytes, read);
                            if (wrong != null)
                            {
                                stats.failures.add(wrong);
                            }
                            stats.wholeReads.incrementAndGet();
                        }
                    }
                }
            }, "hammer-" + t));
        }
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertEquals(List.of(), List.copyOf(stats.failures));
        return stats;
    }
}
