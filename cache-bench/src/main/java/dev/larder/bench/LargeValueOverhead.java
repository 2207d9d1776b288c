package dev.larder.bench;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 11: the memory overhead of a large value, measured: fills an empty cache with values of
 * each size given (8-byte keys, as many values as fill a third of the capacity for large
 * values, a sixteenth for ordinary ones, so that nothing is evicted), and reports the capacity bytes the cache's own
 * statistics say they use per
 * entry, minus the value's size: the chunks' 32-byte headers (record header and chunk id), the
 * head record, and the alignment and end-of-ring padding. Index slots are allocated up front and
 * not counted. Prints one JSON array, one object per size.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -XX:MaxDirectMemorySize=1g -cp cache-bench/target/benchmarks.jar dev.larder.bench.LargeValueOverhead \
 *     536870912 65536 1048576 16777216
 * </pre>
 *
 * The first argument is the capacity in bytes; the others are value sizes.
 */
public final class LargeValueOverhead
{
    private LargeValueOverhead()
    {
    }

    public static void main(final String[] args)
    {
        final long capacity = Long.parseLong(args[0]);
        final List<String> rows = new ArrayList<>();
        for (int i = 1; i < args.length; i++)
        {
            rows.add(measure(capacity, Integer.parseInt(args[i])));
        }
        System.out.println("[\n" + String.join(",\n", rows) + "\n]");
    }

    private static String measure(final long capacity, final int valueSize)
    {
        // a large value is stored as chunk records of a few KiB (a page's quarter with the adaptive
        // policy): each is an entry of the index, so the index is sized for records of 1 KiB
        try (OffHeapCache cache = OffHeapCache.builder().capacity(capacity)
            .expectedEntrySize(Math.min(valueSize, 1024)).hashSeed(1).build())
        {
            final long empty = cache.stats().usedBytes();
            final boolean large = Long.BYTES + valueSize > cache.maxInlineEntrySize();
            // large values go round the segments evenly; ordinary ones land by hash, so fewer
            // of them, lest one segment's share wrap its ring
            final int entries = (int)Math.max(1, capacity / (large ? 3 : 16) / valueSize);
            final byte[] value = new byte[valueSize];
            for (long key = 0; key < entries; key++)
            {
                if (!cache.put(key, value))
                {
                    throw new IllegalStateException("refused a value of " + valueSize + " bytes: " + cache);
                }
            }
            final CacheStats stats = cache.stats();
            if (stats.evictionCount() != 0 || stats.entryCount() != entries)
            {
                throw new IllegalStateException("the measurement must not evict: " + stats);
            }
            final double perEntry = (double)(stats.usedBytes() - empty) / entries;
            final double overhead = perEntry - valueSize;
            return String.format(Locale.ROOT, "  {\"valueSize\": %d, \"large\": %b, \"entries\": %d, " +
                "\"capacity\": %d, \"maxInlineEntrySize\": %d, \"maxEntrySize\": %d, \"usedBytesPerEntry\": %.1f, " +
                "\"overheadBytesPerEntry\": %.1f, \"overheadPercent\": %.4f}",
                valueSize, large, entries, capacity,
                cache.maxInlineEntrySize(), cache.maxEntrySize(), perEntry, overhead, 100 * overhead / valueSize);
        }
    }
}
