package dev.larder.examples;

import dev.larder.Cache;
import dev.larder.CacheEntry;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import java.time.Duration;

/**
 * Weakly consistent iteration: one segment at a time, no lock held while the loop body runs.
 */
public final class IterationExample
{
    private IterationExample()
    {
    }

    public static void main(final String[] args)
    {
        try (Cache<String, Integer> stock = OffHeapCache.builder().capacity(16L << 20)
            .build(Codecs.utf8(), Codecs.integers()))
        {
            stock.put("apples", 12);
            stock.put("pears", 3, Duration.ofMinutes(5));
            stock.put("plums", 40);
            int total = 0;
            for (final CacheEntry<String, Integer> entry : stock.entries())
            {
                if (entry.key().startsWith("seen:"))
                {
                    continue;   // written by this loop; may or may not be met (weak consistency)
                }
                System.out.println(entry.key() + " = " + entry.value() + " (ttl " +
                    (entry.ttlMillis() == OffHeapCache.NO_EXPIRY ? "none" : entry.ttl()) + ")");
                total += entry.value();
                stock.put("seen:" + entry.key(), 1);   // writing while iterating is allowed
            }
            System.out.println("total stock: " + total);
        }
    }
}
