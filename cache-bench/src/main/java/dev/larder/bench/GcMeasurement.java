package dev.larder.bench;

import dev.larder.bench.peers.ByteCache;
import dev.larder.bench.peers.Keys;
import dev.larder.bench.peers.Peers;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * GC and footprint of one cache in this JVM (a plain main, not JMH: it measures the collector, not
 * a method). Run one JVM per cache and size with a fixed heap; {@code cache-bench/measure-gc.sh}
 * runs them all.
 *
 * <pre>
 * java -Xms8g -Xmx8g -XX:MaxDirectMemorySize=8g [chronicle and agrona flags] -Xlog:gc:file=gc.log \
 *     -cp cache-bench/target/benchmarks.jar dev.larder.bench.GcMeasurement fill larder 1000000 results.csv
 * java ... dev.larder.bench.GcMeasurement mixed larder 10000000 results.csv 60
 * </pre>
 *
 * {@code fill} inserts N entries (16-byte keys, 100-byte values) and records fill throughput, GC
 * count and time during the fill, heap used after a full GC, how long an explicit full GC takes
 * with the cache populated, process RSS, and memory per entry above the 116 bytes of key and value
 * (the cache's own off-heap accounting plus the heap it holds, per entry; RSS growth per entry is
 * printed too, but it also counts memory a cache reserves up front and pages the JVM touches).
 * Keys are written into one reused array: off-heap caches copy them, on-heap maps keep a copy.
 * {@code mixed}
 * fills, then runs 90% reads / 10% writes on 2 threads for the given seconds, and prints the JVM
 * uptime at which that run started (the last column), so that {@link GcLog} counts only the pauses
 * of the run in the {@code -Xlog:gc} file. One CSV line per run is
 * appended to the results file.
 */
public final class GcMeasurement
{
    private static final int VALUE_SIZE = 100;

    private GcMeasurement()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length < 4)
        {
            throw new IllegalArgumentException("usage: fill|mixed <cache> <entries> <results.csv> [seconds]");
        }
        final String mode = args[0];
        final String name = args[1];
        final int entries = Integer.parseInt(args[2]);
        final Path results = Paths.get(args[3]);
        final int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 60;

        if ("fill".equals(mode))
        {
            System.gc();
        }
        final long heapBaseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        final long rssBefore = rssBytes();
        final long gcCountBefore = gcCount();
        final long gcTimeBefore = gcMillis();
        try (ByteCache cache = Peers.create(name, entries, VALUE_SIZE, false))
        {
            final byte[] value = new byte[VALUE_SIZE];
            final byte[] key = new byte[Keys.LENGTH];
            final long start = System.nanoTime();
            for (int i = 0; i < entries; i++)
            {
                Keys.fill(i, key);
                value[0] = (byte)i;
                cache.put(key, value);
            }
            final double fillSeconds = (System.nanoTime() - start) / 1e9;
            final long fillGcCount = gcCount() - gcCountBefore;
            final long fillGcMillis = gcMillis() - gcTimeBefore;
            final long held = cache.size();

            String line;
            if ("fill".equals(mode))
            {
                final long gcStart = System.nanoTime();
                System.gc();
                final double fullGcMillis = (System.nanoTime() - gcStart) / 1e6;
                final long heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                final long rss = rssBytes();
                final double rssPerEntry = (double)(rss - rssBefore) / entries;
                final long offHeap = cache.offHeapBytes();
                // the cache's own bytes: its off-heap accounting plus the heap it holds beyond the baseline
                final double perEntry = offHeap < 0 ? Double.NaN :
                    (double)(offHeap + Math.max(0, heapAfterGc - heapBaseline)) / entries;
                line = String.format(Locale.ROOT, "fill,%s,%d,%d,%.0f,%d,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f", name,
                    entries, held, entries / fillSeconds, fillGcCount, fillGcMillis, heapAfterGc / 1048576.0,
                    fullGcMillis, rss / 1048576.0, rssPerEntry, perEntry, perEntry - Keys.LENGTH - VALUE_SIZE);
            }
            else if ("mixed".equals(mode))
            {
                final long mixedGcCount = gcCount();
                final long mixedGcMillis = gcMillis();
                final double startUptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
                final long operations = mixed(cache, entries, seconds);
                line = String.format(Locale.ROOT, "mixed,%s,%d,%d,%.0f,%d,%d,%d,%d,%d,%.3f", name, entries, held,
                    operations / (double)seconds, fillGcCount, fillGcMillis, gcCount() - mixedGcCount,
                    gcMillis() - mixedGcMillis, seconds, startUptime);
            }
            else
            {
                throw new IllegalArgumentException("mode must be fill or mixed: " + mode);
            }
            System.out.println(line);
            Files.createDirectories(results.toAbsolutePath().getParent());
            Files.writeString(results, line + System.lineSeparator(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** 90% reads, 10% writes, uniform keys, 2 threads; @return operations done. */
    private static long mixed(final ByteCache cache, final int entries, final int seconds) throws InterruptedException
    {
        final LongAdder done = new LongAdder();
        final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++)
        {
            final int seed = t;
            threads.add(new Thread(() -> {
                final SplittableRandom random = new SplittableRandom(seed);
                final byte[] value = new byte[VALUE_SIZE];
                final byte[] dst = new byte[VALUE_SIZE];
                final byte[] key = new byte[Keys.LENGTH];
                long count = 0;
                while ((count & 1023) != 0 || System.nanoTime() < deadline)
                {
                    Keys.fill(random.nextInt(entries), key);
                    if (random.nextInt(10) == 0)
                    {
                        cache.put(key, value);
                    }
                    else
                    {
                        cache.get(key, dst);
                    }
                    count++;
                }
                done.add(count);
            }));
        }
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        return done.sum();
    }

    static long rssBytes()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (final IOException ex)
        {
            return -1;
        }
        return -1;
    }

    static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, bean.getCollectionCount());
        }
        return count;
    }

    static long gcMillis()
    {
        long time = 0;
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            time += Math.max(0, bean.getCollectionTime());
        }
        return time;
    }
}
