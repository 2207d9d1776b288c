package dev.larder.examples;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The newcomer's demo: fill Larder with millions of entries, run a read/write workload on every
 * core, and print throughput, hit rate, heap and GC figures beside the same run on an on-heap
 * {@link ConcurrentHashMap}.
 *
 * <p>Run it with {@code mvn -B -q -DskipTests package exec:exec -pl cache-examples -am}
 * (arguments: {@code -Ddemo.entries=5000000 -Ddemo.seconds=10}).
 */
public final class Demo
{
    private static final int VALUE_SIZE = 100;

    private Demo()
    {
    }

    /** One contender: Larder or the map. */
    private interface Store
    {
        void put(long key, byte[] value);

        boolean get(long key, byte[] dst);

        long size();
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final int entries = Integer.getInteger("demo.entries", 5_000_000);
        final int seconds = Integer.getInteger("demo.seconds", 10);
        final int threads = Runtime.getRuntime().availableProcessors();
        final long capacity = (long)(entries * 168L * 1.10);

        System.out.printf(Locale.ROOT, "Larder demo: %,d entries (8-byte keys, %d-byte values), %d s of 90%% reads / " +
            "10%% writes on %d threads, JVM max heap %,d MiB%n%n", entries, VALUE_SIZE, seconds, threads,
            Runtime.getRuntime().maxMemory() >> 20);

        final List<String[]> rows = new ArrayList<>();
        try (OffHeapCache cache = OffHeapCache.builder().capacity(capacity).expectedEntrySize(8 + VALUE_SIZE).build())
        {
            System.out.println("Larder: " + cache);
            rows.add(run("Larder (off-heap)", entries, seconds, threads, new Store()
            {
                @Override
                public void put(final long key, final byte[] value)
                {
                    cache.put(key, value);
                }

                @Override
                public boolean get(final long key, final byte[] dst)
                {
                    return cache.get(key, dst) >= 0;
                }

                @Override
                public long size()
                {
                    return cache.stats().entryCount();
                }
            }));
            final CacheStats stats = cache.stats();
            System.out.printf(Locale.ROOT, "  off-heap: %,d MiB allocated of %,d MiB capacity, %,d evictions%n%n",
                stats.allocatedBytes() >> 20, stats.capacityBytes() >> 20, stats.evictionCount());
        }
        System.gc();

        final ConcurrentHashMap<Long, byte[]> map = new ConcurrentHashMap<>(entries * 2);
        System.out.println("ConcurrentHashMap<Long, byte[]> (on-heap)");
        rows.add(run("ConcurrentHashMap", entries, seconds, threads, new Store()
        {
            @Override
            public void put(final long key, final byte[] value)
            {
                map.put(key, value.clone());
            }

            @Override
            public boolean get(final long key, final byte[] dst)
            {
                return map.get(key) != null;
            }

            @Override
            public long size()
            {
                return map.size();
            }
        }));
        System.out.println();

        System.out.printf(Locale.ROOT, "%-20s %12s %12s %9s %14s %9s %12s%n", "store", "fill ops/s", "mixed ops/s",
            "hit rate", "heap after GC", "GC count", "GC time");
        for (final String[] row : rows)
        {
            System.out.printf(Locale.ROOT, "%-20s %12s %12s %9s %14s %9s %12s%n", (Object[])row);
        }
        System.out.println();
        System.out.println("Heap after GC is what the collector must trace; GC count and time cover fill + workload.");
    }

    private static String[] run(
        final String name, final int entries, final int seconds, final int threads, final Store store)
        throws InterruptedException
    {
        final long gcCountBefore = gcCount();
        final long gcTimeBefore = gcTimeMillis();

        final byte[] value = new byte[VALUE_SIZE];
        final long fillStart = System.nanoTime();
        final int step = Math.max(1, entries / 10);
        for (int key = 0; key < entries; key++)
        {
            value[0] = (byte)key;
            store.put(key, value);
            if ((key + 1) % step == 0)
            {
                System.out.printf(Locale.ROOT, "  filling: %,d / %,d%n", key + 1, entries);
            }
        }
        final double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

        final LongAdder operations = new LongAdder();
        final LongAdder reads = new LongAdder();
        final LongAdder hits = new LongAdder();
        final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int seed = t;
            workers.add(new Thread(() -> {
                final SplittableRandom random = new SplittableRandom(seed);
                final byte[] dst = new byte[VALUE_SIZE];
                final byte[] fresh = new byte[VALUE_SIZE];
                long done = 0;
                long localReads = 0;
                long localHits = 0;
                while ((done & 1023) != 0 || System.nanoTime() < deadline)
                {
                    // keys spread 10% beyond the filled range, so some reads miss
                    final long key = random.nextInt(entries + entries / 10);
                    if (random.nextInt(10) == 0)
                    {
                        store.put(key, fresh);
                    }
                    else
                    {
                        localReads++;
                        if (store.get(key, dst))
                        {
                            localHits++;
                        }
                    }
                    done++;
                }
                operations.add(done);
                reads.add(localReads);
                hits.add(localHits);
            }));
        }
        System.out.printf(Locale.ROOT, "  running the mixed workload for %d s...%n", seconds);
        workers.forEach(Thread::start);
        for (final Thread worker : workers)
        {
            worker.join();
        }
        final long gcCount = gcCount() - gcCountBefore;
        final long gcTime = gcTimeMillis() - gcTimeBefore;
        System.gc();
        final long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "  %,d entries held%n", store.size());
        return new String[] {
            name,
            String.format(Locale.ROOT, "%,.0f", entries / fillSeconds),
            String.format(Locale.ROOT, "%,.0f", operations.sum() / (double)seconds),
            String.format(Locale.ROOT, "%.1f%%", 100.0 * hits.sum() / Math.max(1, reads.sum())),
            String.format(Locale.ROOT, "%,d MiB", heapUsed >> 20),
            String.format(Locale.ROOT, "%,d", gcCount),
            String.format(Locale.ROOT, "%,d ms", gcTime),
        };
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, bean.getCollectionCount());
        }
        return count;
    }

    private static long gcTimeMillis()
    {
        long time = 0;
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            time += Math.max(0, bean.getCollectionTime());
        }
        return time;
    }
}
