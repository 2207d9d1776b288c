package dev.larder.examples;

import dev.larder.Cache;
import dev.larder.OffHeapCache;
import dev.larder.RemovalCause;
import dev.larder.RemovalListener;
import dev.larder.codec.Codecs;
import java.util.EnumMap;
import java.util.Map;

/**
 * A removal listener counting why entries leave: replaced, removed, evicted, cleared.
 */
public final class RemovalListenerExample
{
    private RemovalListenerExample()
    {
    }

    public static void main(final String[] args)
    {
        final Map<RemovalCause, Integer> causes = new EnumMap<>(RemovalCause.class);
        final RemovalListener listener = RemovalListener.typed(Codecs.longs(), Codecs.utf8(),
            (Long key, String value, RemovalCause cause) -> {
                // runs under the segment lock: keep it short, never call the cache from here
                synchronized (causes)
                {
                    causes.merge(cause, 1, Integer::sum);
                }
            });
        try (Cache<Long, String> cache = OffHeapCache.builder()
            .capacity(1L << 20)                // small on purpose, to see evictions
            .removalListener(listener)
            .build(Codecs.longs(), Codecs.utf8()))
        {
            cache.put(1L, "first");
            cache.put(1L, "second");            // REPLACED
            cache.remove(1L);                   // EXPLICIT
            for (long key = 0; key < 20_000; key++)
            {
                cache.put(key, "value-" + key);  // fills the cache: EVICTED
            }
            cache.clear();                      // CLEARED
        }
        System.out.println("removals by cause: " + causes);
    }
}
