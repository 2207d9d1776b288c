package dev.larder.bench;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Shows that Larder's on-heap footprint does not grow with the entry count: fills a cache with N
 * entries (16-byte keys, 100-byte values), forces full GCs, and prints heap used after GC beside
 * off-heap bytes and off-heap bytes per entry.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -Xmx512m -XX:MaxDirectMemorySize=4g -cp cache-bench/target/benchmarks.jar \
 *     dev.larder.bench.HeapFootprint 0 1000000 10000000
 * </pre>
 */
public final class HeapFootprint
{
    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 100;

    private HeapFootprint()
    {
    }

    public static void main(final String[] args)
    {
        System.out.printf(Locale.ROOT, "java %s, %s, max heap %d MiB%n", System.getProperty("java.version"),
            System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(Locale.ROOT, "%12s %12s %16s %16s %14s %12s %10s%n", "entries", "held", "heap after GC",
            "capacity", "off-heap used", "bytes/entry", "backend");
        final long baseline = heapAfterGc();
        System.out.printf(Locale.ROOT, "%12s %12s %16s %16s %14s %12s %10s%n", "no cache", "-", mib(baseline),
            "-", "-", "-", "-");
        for (final String arg : args)
        {
            final int entries = Integer.parseInt(arg);
            final long capacity = Math.max(16L << 20, (long)(entries * 160L * 1.06));
            try (OffHeapCache cache = OffHeapCache.builder().capacity(capacity)
                .expectedEntrySize(KEY_LENGTH + VALUE_LENGTH).build())
            {
                final byte[] key = new byte[KEY_LENGTH];
                final byte[] value = new byte[VALUE_LENGTH];
                for (long i = 0; i < entries; i++)
                {
                    for (int b = 0; b < 8; b++)
                    {
                        key[b] = (byte)(i >>> (56 - 8 * b));
                    }
                    cache.put(key, value);
                }
                final long heap = heapAfterGc();
                final CacheStats stats = cache.stats();
                System.out.printf(Locale.ROOT, "%,12d %,12d %16s %16s %14s %12.1f %10s%n", entries,
                    stats.entryCount(), mib(heap), mib(stats.capacityBytes()), mib(stats.usedBytes()),
                    stats.entryCount() == 0 ? 0.0 : (double)stats.usedBytes() / stats.entryCount(),
                    stats.memoryBackend());
            }
        }
    }

    private static String mib(final long bytes)
    {
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / 1048576.0);
    }

    static long heapAfterGc()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
