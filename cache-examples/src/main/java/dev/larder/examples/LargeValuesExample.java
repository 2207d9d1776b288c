package dev.larder.examples;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import java.util.Arrays;
import java.util.Locale;

/**
 * Values larger than a segment's records are stored in chunks, up to about half the capacity;
 * above that they are refused, reported and counted.
 */
public final class LargeValuesExample
{
    private LargeValuesExample()
    {
    }

    public static void main(final String[] args)
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(64L << 20).segments(64).build())
        {
            System.out.printf(Locale.ROOT, "largest record: %,d bytes; largest entry: %,d bytes%n",
                cache.maxInlineEntrySize(), cache.maxEntrySize());

            // a 20 MiB value: far above one record, stored in chunks
            final byte[] report = new byte[20 << 20];
            Arrays.fill(report, (byte)'r');
            System.out.println("20 MiB stored: " + cache.put(1L, report));

            // read it back into a buffer of ours: no allocation, the whole value
            final byte[] buffer = new byte[report.length];
            final int length = cache.get(1L, buffer);
            System.out.println("read back: " + length + " bytes, equal: " + Arrays.equals(report, buffer));

            // a reader of a large value gets a view of a copy
            System.out.println("reader saw " + cache.read(1L, view -> view.capacity()) + " bytes");

            // above the maximum: refused, reported and counted, the cache unchanged
            final boolean stored = cache.put(2L, new byte[cache.maxEntrySize()]);
            final CacheStats stats = cache.stats();
            System.out.println("too large stored: " + stored + "; rejections: " + stats.rejectionCount() +
                "; entries: " + stats.entryCount());
        }
    }
}
