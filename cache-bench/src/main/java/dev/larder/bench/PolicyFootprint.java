package dev.larder.bench;

import dev.larder.CacheStats;
import dev.larder.EvictionMode;
import dev.larder.OffHeapCache;
import java.util.Locale;

/**
 * What the adaptive policy costs in memory (issue 13): fills a cache of each eviction mode, at the
 * same capacity, with more distinct entries than it holds (16-byte keys; values of 8, 100 and 1,000
 * bytes) and prints the entries it holds, the capacity per entry held, and the sketch's bytes. The
 * difference per entry between the modes is the frequency sketch plus the paged queues' slack
 * (the partly used head and tail pages of three queues, the free pages kept for moves, and the
 * padding at page ends).
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -XX:MaxDirectMemorySize=2g -cp cache-bench/target/benchmarks.jar dev.larder.bench.PolicyFootprint
 * </pre>
 */
public final class PolicyFootprint
{
    private static final int KEY_LENGTH = 16;
    private static final long CAPACITY = 256L << 20;

    private PolicyFootprint()
    {
    }

    public static void main(final String[] args)
    {
        System.out.printf(Locale.ROOT, "capacity %d MiB, 256 segments, %d-byte keys%n", CAPACITY >> 20, KEY_LENGTH);
        System.out.printf(Locale.ROOT, "%8s %15s %12s %16s %14s %16s%n", "value", "mode", "held",
            "capacity/entry", "sketch bytes", "sketch/entry");
        for (final int valueLength : new int[] {8, 100, 1000})
        {
            for (final EvictionMode mode : EvictionMode.values())
            {
                try (OffHeapCache cache = OffHeapCache.builder().capacity(CAPACITY)
                    .expectedEntrySize(KEY_LENGTH + valueLength).eviction(mode).hashSeed(1).build())
                {
                    final byte[] key = new byte[KEY_LENGTH];
                    final byte[] value = new byte[valueLength];
                    final long puts = 3 * CAPACITY / (KEY_LENGTH + valueLength + 24);
                    for (long i = 0; i < puts; i++)
                    {
                        for (int b = 0; b < 8; b++)
                        {
                            key[b] = (byte)(i >>> (56 - 8 * b));
                        }
                        cache.put(key, value);
                    }
                    final CacheStats stats = cache.stats();
                    System.out.printf(Locale.ROOT, "%8d %15s %,12d %16.1f %,14d %16.1f%n", valueLength, mode,
                        stats.entryCount(), (double)CAPACITY / stats.entryCount(), stats.policyBytes(),
                        (double)stats.policyBytes() / stats.entryCount());
                }
            }
        }
    }
}
