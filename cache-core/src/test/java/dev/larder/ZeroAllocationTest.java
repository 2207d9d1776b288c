package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.internal.Memories;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Steady-state put and copying get allocate nothing: the thread's allocated-bytes counter is
 * read around 100k operations after a warm-up. (The JMH benchmark ZeroAllocationBenchmark in
 * cache-bench shows the same with -prof gc.)
 */
class ZeroAllocationTest
{
    private static final int OPERATIONS = 100_000;
    private static final int KEYS = 10_000;
    /** Slack for the measuring call itself; 100k operations at even 1 byte each would exceed it. */
    private static final long SLACK_BYTES = 4_096;

    private final OffHeapCache cache = OffHeapCache.builder().capacity(64L << 20).build();

    @AfterEach
    void close()
    {
        cache.close();
    }

    private static long allocatedBytes()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static long measure(final Runnable work)
    {
        for (int i = 0; i < 5; i++)
        {
            work.run();
        }
        final long before = allocatedBytes();
        work.run();
        return allocatedBytes() - before;
    }

    @Test
    void byteArrayPutAndCopyingGetAllocateNothing()
    {
        final byte[][] keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++)
        {
            keys[i] = ("key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        final byte[] value = new byte[100];
        final byte[] dst = new byte[100];
        final long allocated = measure(() -> {
            long found = 0;
            for (int i = 0; i < OPERATIONS; i++)
            {
                final byte[] key = keys[i % KEYS];
                cache.put(key, value);
                found += cache.get(key, dst);
            }
            assertEquals(100L * OPERATIONS, found);
        });
        assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes in " + OPERATIONS + " put+get");
    }

    /** Issue 11: a value in several chunks is written and copied out without allocating either. */
    @Test
    void largeValuePutAndCopyingGetAllocateNothing()
    {
        final byte[] value = new byte[cache.maxInlineEntrySize() * 3];
        final byte[] dst = new byte[value.length];
        final long allocated = measure(() -> {
            long found = 0;
            for (int i = 0; i < 2_000; i++)
            {
                final long key = i % 16;
                cache.put(key, value);
                found += cache.get(key, dst);
            }
            assertEquals(2_000L * value.length, found);
        });
        assertEquals(0, cache.stats().evictionCount(), "every read found its value");
        assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes in 2000 large put+get");
    }

    @Test
    void longKeyPutAndCopyingGetAllocateNothing()
    {
        final byte[] value = new byte[100];
        final byte[] dst = new byte[100];
        final long allocated = measure(() -> {
            long found = 0;
            for (int i = 0; i < OPERATIONS; i++)
            {
                final long key = i % KEYS;
                cache.put(key, value);
                found += cache.get(key, dst);
                found += cache.containsKey(key) ? 0 : 1;
            }
            assertEquals(100L * OPERATIONS, found);
        });
        assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes in " + OPERATIONS + " put+get");
    }

    @Test
    void directBufferPutAndGetAllocateNothing()
    {
        assumeTrue(Memories.agronaAvailable(), "Agrona buffers need --add-exports");
        final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[100]);
        final long allocated = measure(() -> {
            long found = 0;
            for (int i = 0; i < OPERATIONS; i++)
            {
                key.putLong(0, i % KEYS);
                cache.put(key, 0, 16, value, 0, 100);
                found += cache.get(key, 0, 16, dst, 0);
            }
            assertEquals(100L * OPERATIONS, found);
        });
        assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes in " + OPERATIONS + " put+get");
    }

    /** Issue 8: every key form of every allocation-free operation, on either backend. */
    @Test
    void everyKeyFormOfTheCopyingOperationsAllocatesNothing()
    {
        final org.agrona.MutableDirectBuffer key = Buffers.allocate(Long.BYTES);
        final byte[] keyBytes = new byte[Long.BYTES];
        final org.agrona.MutableDirectBuffer value = Buffers.allocate(100);
        final byte[] bytes = new byte[100];
        final byte[] dst = new byte[100];
        final org.agrona.MutableDirectBuffer dstBuffer = Buffers.allocate(100);
        final java.time.Duration minute = java.time.Duration.ofMinutes(1);
        final long allocated = measure(() -> {
            long found = 0;
            for (int i = 0; i < OPERATIONS; i++)
            {
                final long k = i % KEYS;
                key.putLong(0, k, java.nio.ByteOrder.BIG_ENDIAN);
                key.getBytes(0, keyBytes);
                cache.putIfAbsent(k, bytes, minute);
                cache.replace(key, 0, Long.BYTES, value, 0, 100, minute);
                cache.putIfAbsent(key, 0, Long.BYTES, value, 0, 100, minute);
                cache.replace(k, bytes, minute);
                found += cache.get(keyBytes, dstBuffer, 0) + cache.get(key, 0, Long.BYTES, dst);
                found += cache.peek(k, dst) + cache.peek(keyBytes, dstBuffer, 0) + cache.peek(k, dstBuffer, 0);
                found += cache.peek(key, 0, Long.BYTES, dst);
                found += cache.ttlMillis(key, 0, Long.BYTES) > 0 ? 0 : 1;
                found += cache.touch(key, 0, Long.BYTES, minute) && cache.containsKey(key, 0, Long.BYTES) ? 0 : 1;
                found += cache.remove(keyBytes) ? 0 : 1;
            }
            assertEquals(100L * 6 * OPERATIONS, found);
        });
        assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes in " + OPERATIONS + " rounds");
    }

    @Test
    void typedPutAndZeroCopyReadAllocateNothing()
    {
        try (Cache<Long, byte[]> typed = OffHeapCache.builder().capacity(64L << 20)
            .build(dev.larder.codec.Codecs.longs(), dev.larder.codec.Codecs.byteArray()))
        {
            final Long[] keys = new Long[KEYS];
            for (int i = 0; i < KEYS; i++)
            {
                keys[i] = (long)i;
            }
            final byte[] value = new byte[100];
            final ValueReader<Integer> length = org.agrona.DirectBuffer::capacity;
            final long allocated = measure(() -> {
                long found = 0;
                for (int i = 0; i < OPERATIONS; i++)
                {
                    final Long key = keys[i % KEYS];
                    typed.put(key, value);
                    found += typed.read(key, length);
                }
                assertEquals(100L * OPERATIONS, found);
            });
            assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes in " + OPERATIONS +
                " typed put+read");
        }
    }

    @Test
    void evictionAllocatesNothingEither()
    {
        try (OffHeapCache small = OffHeapCache.builder().capacity(1L << 20).segments(4).build())
        {
            final byte[] value = new byte[300];
            final byte[] dst = new byte[300];
            final long allocated = measure(() -> {
                for (int i = 0; i < OPERATIONS; i++)
                {
                    small.put((long)i, value);
                    small.get((long)(i - 100), dst);
                }
            });
            assertTrue(small.stats().evictionCount() > 0);
            assertTrue(allocated < SLACK_BYTES, "allocated " + allocated + " bytes while evicting");
        }
    }
}
