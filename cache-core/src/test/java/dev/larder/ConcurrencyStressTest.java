package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Threads hammer shared keys with self-checking values: each value carries its key, a version,
 * its length and a checksum, so a torn, foreign or corrupted read is detected. Bounded by
 * operation counts, not by time.
 */
class ConcurrencyStressTest
{
    private static final int THREADS = 4;
    private static final int KEYS = 2_000;
    private static final int OPS_PER_THREAD = 150_000;

    /** key(8) version(8) length(4) payload checksum(8). */
    static byte[] value(final long key, final long version, final int payload)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(28 + payload);
        buffer.putLong(key).putLong(version).putInt(payload);
        for (int i = 0; i < payload; i++)
        {
            buffer.put((byte)(key * 7 + version * 13 + i));
        }
        buffer.putLong(checksum(buffer.array(), 20 + payload));
        return buffer.array();
    }

    static long checksum(final byte[] bytes, final int length)
    {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ bytes[i]) * 0x100000001B3L;
        }
        return h;
    }

    /** @return null when the value is intact for the key, else what is wrong. */
    static String check(final long key, final byte[] value)
    {
        if (value.length < 28)
        {
            return "short value: " + value.length;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        final long storedKey = buffer.getLong(0);
        final int payload = buffer.getInt(16);
        if (storedKey != key)
        {
            return "foreign value: key=" + key + ", stored=" + storedKey;
        }
        if (payload != value.length - 28)
        {
            return "torn length: " + payload + " in " + value.length;
        }
        if (buffer.getLong(20 + payload) != checksum(value, 20 + payload))
        {
            return "bad checksum for key " + key;
        }
        return null;
    }

    /**
     * Lock-free readers race writers that overwrite in place, append, evict and move. One segment
     * puts every operation on the same seqlock, the most torn reads a reader can meet.
     */
    @ParameterizedTest(name = "segments={0}")
    @ValueSource(ints = {1, 16})
    void mixedOperationsNeverReadTornOrForeignValues(final int segments) throws Exception
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(2L << 20).segments(segments).build())
        {
            final AtomicLong puts = new AtomicLong();
            final AtomicLong reads = new AtomicLong();
            final AtomicReference<String> failure = new AtomicReference<>();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int seed = t;
                threads.add(new Thread(() -> {
                    final SplittableRandom random = new SplittableRandom(seed);
                    final byte[] dst = new byte[2048];
                    awaitQuietly(start);
                    for (int i = 0; i < OPS_PER_THREAD && failure.get() == null; i++)
                    {
                        final long key = random.nextInt(KEYS);
                        final int op = random.nextInt(100);
                        String problem = null;
                        if (op < 3)
                        {
                            cache.containsKey(key); // answers true or false, never throws, on torn data
                            final byte[] peeked = cache.peek(key);
                            problem = peeked == null ? null : check(key, peeked);
                        }
                        else if (op < 40)
                        {
                            final byte[] read = cache.get(key);
                            reads.incrementAndGet();
                            problem = read == null ? null : check(key, read);
                        }
                        else if (op < 55)
                        {
                            final int length = cache.get(key, dst);
                            reads.incrementAndGet();
                            if (length >= 0 && length <= dst.length)
                            {
                                problem = check(key, java.util.Arrays.copyOf(dst, length));
                            }
                        }
                        else if (op < 85)
                        {
                            if (cache.put(key, value(key, i, random.nextInt(1500))))
                            {
                                puts.incrementAndGet();
                            }
                        }
                        else if (op < 90)
                        {
                            cache.remove(key);
                        }
                        else if (op < 94)
                        {
                            if (cache.putIfAbsent(key, value(key, i, random.nextInt(200))))
                            {
                                puts.incrementAndGet();
                            }
                        }
                        else if (op < 98)
                        {
                            if (cache.replace(key, value(key, i, random.nextInt(200))))
                            {
                                puts.incrementAndGet();
                            }
                        }
                        else
                        {
                            cache.touch(key, Duration.ofMinutes(1));
                        }
                        if (problem != null)
                        {
                            failure.compareAndSet(null, problem);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            if (failure.get() != null)
            {
                fail(failure.get());
            }
            cache.verifyInvariants();
            final CacheStats stats = cache.stats();
            assertEquals(puts.get(), stats.putCount(), "every stored put is counted once");
            assertEquals(reads.get(), stats.hitCount() + stats.missCount(), "every read is a hit or a miss");
            assertTrue(stats.evictionCount() > 0, "the run exercised eviction: " + stats);
            assertTrue(stats.hitCount() > 0, stats.toString());
            for (long key = 0; key < KEYS; key++)
            {
                final byte[] value = cache.peek(key);
                if (value != null)
                {
                    assertEquals(null, check(key, value));
                }
            }
        }
    }

    @Test
    void closeRacingWithReadersAndWritersOnlyThrowsIllegalState() throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final OffHeapCache cache = OffHeapCache.builder().capacity(1L << 20).segments(8).build();
            final AtomicReference<Throwable> unexpected = new AtomicReference<>();
            final AtomicLong closedSeen = new AtomicLong();
            final CountDownLatch running = new CountDownLatch(THREADS);
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int seed = round * THREADS + t;
                threads.add(new Thread(() -> {
                    final SplittableRandom random = new SplittableRandom(seed);
                    final byte[] dst = new byte[512];
                    running.countDown();
                    try
                    {
                        for (int i = 0; ; i++)
                        {
                            final long key = random.nextInt(500);
                            switch (i % 5)
                            {
                                case 0:
                                case 1:
                                    cache.put(key, value(key, i, random.nextInt(400)));
                                    break;
                                case 2:
                                    cache.get(key, dst);
                                    break;
                                case 3:
                                    cache.get(key);
                                    break;
                                default:
                                    cache.remove(key);
                            }
                        }
                    }
                    catch (final IllegalStateException ex)
                    {
                        if ("cache is closed".equals(ex.getMessage()))
                        {
                            closedSeen.incrementAndGet();
                        }
                        else
                        {
                            unexpected.compareAndSet(null, ex);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        unexpected.compareAndSet(null, ex);
                    }
                }));
            }
            threads.forEach(Thread::start);
            running.await();
            Thread.sleep(2);
            cache.close();
            for (final Thread thread : threads)
            {
                thread.join(10_000);
                assertTrue(!thread.isAlive(), "worker stopped after close");
            }
            if (unexpected.get() != null)
            {
                throw new AssertionError("unexpected failure racing close", unexpected.get());
            }
            assertEquals(THREADS, closedSeen.get());
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
