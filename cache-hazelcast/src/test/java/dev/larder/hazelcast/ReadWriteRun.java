package dev.larder.hazelcast;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Readers and writers on a small hot key set through several near caches, recorded in a
 * {@link History}. Key k is written only by writer {@code k % writers}, through the near caches in
 * turn; readers pick a near cache and a key at random.
 */
final class ReadWriteRun
{
    private static final int MAX_READS_PER_READER = 150_000;

    private final List<LarderNearCache<Long, String>> caches;
    private final History history;
    private final int keys;
    private final boolean tolerateFailures;
    private final List<Thread> threads = new ArrayList<>();
    private final List<List<History.Read>> reads = new ArrayList<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile boolean stop;

    ReadWriteRun(
        final List<LarderNearCache<Long, String>> caches, final History history, final int keys,
        final boolean tolerateFailures)
    {
        this.caches = caches;
        this.history = history;
        this.keys = keys;
        this.tolerateFailures = tolerateFailures;
    }

    ReadWriteRun start(final int writers, final int readers)
    {
        for (int w = 0; w < writers; w++)
        {
            final int writer = w;
            threads.add(new Thread(() -> write(writer, writers), "writer-" + w));
        }
        for (int r = 0; r < readers; r++)
        {
            final List<History.Read> mine = new ArrayList<>();
            reads.add(mine);
            final long seed = r;
            threads.add(new Thread(() -> read(mine, seed), "reader-" + r));
        }
        threads.forEach(Thread::start);
        return this;
    }

    long writes()
    {
        return writes.get();
    }

    long failures()
    {
        return failures.get();
    }

    /** Stops every thread and returns all reads; rethrows the first failure unless failures are tolerated. */
    List<History.Read> stop() throws InterruptedException
    {
        stop = true;
        for (final Thread thread : threads)
        {
            thread.join(120_000);
            if (thread.isAlive())
            {
                throw new AssertionError("hang guard: " + thread.getName() + " still running");
            }
        }
        final Throwable failure = firstFailure.get();
        if (failure != null && !tolerateFailures)
        {
            throw new AssertionError("an operation failed during the run", failure);
        }
        final List<History.Read> all = new ArrayList<>();
        reads.forEach(all::addAll);
        return all;
    }

    private void write(final int writer, final int writers)
    {
        int turn = 0;
        while (!stop)
        {
            for (int k = writer; k < keys && !stop; k += writers)
            {
                if (!history.canWrite(k))
                {
                    return;
                }
                final LarderNearCache<Long, String> cache = caches.get(turn++ % caches.size());
                final int version = history.beginWrite(k, System.nanoTime());
                try
                {
                    cache.put((long)k, History.value(k, version));
                }
                catch (final RuntimeException ex)
                {
                    failed(ex);
                }
                history.endWrite(k, version, System.nanoTime());
                writes.incrementAndGet();
            }
        }
    }

    private void read(final List<History.Read> into, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        while (!stop && into.size() < MAX_READS_PER_READER)
        {
            final int c = random.nextInt(caches.size());
            final int k = random.nextInt(keys);
            final long start = System.nanoTime();
            final String value;
            try
            {
                value = caches.get(c).get((long)k);
            }
            catch (final RuntimeException ex)
            {
                failed(ex);
                continue;
            }
            final long end = System.nanoTime();
            into.add(new History.Read(c, k, History.version(k, value), start, end));
        }
    }

    private void failed(final RuntimeException ex)
    {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, ex);
    }
}
