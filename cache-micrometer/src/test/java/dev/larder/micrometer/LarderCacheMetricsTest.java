package dev.larder.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.Cache;
import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import dev.larder.jcache.LarderCachingProvider;
import dev.larder.jcache.LarderConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;

class LarderCacheMetricsTest
{
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double counter(final String name, final String... tags)
    {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    private double gauge(final String name, final String... tags)
    {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void aByteLevelCacheFollowsMicrometersCacheConventions()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(4).build())
        {
            LarderCacheMetrics.monitor(registry, cache, "bytes", "region", "eu");
            cache.put(1L, new byte[10]);
            cache.put(2L, new byte[10]);
            cache.get(1L);
            cache.get(3L);
            cache.get(4L);

            assertEquals(1, counter("cache.gets", "cache", "bytes", "region", "eu", "result", "hit"));
            assertEquals(2, counter("cache.gets", "cache", "bytes", "result", "miss"));
            assertEquals(2, counter("cache.puts", "cache", "bytes"));
            assertEquals(0, counter("cache.evictions", "cache", "bytes"));
            assertEquals(2, gauge("cache.size", "cache", "bytes"));
            assertEquals(1 << 20, gauge("cache.larder.bytes.capacity", "cache", "bytes"));
            assertEquals(cache.stats().usedBytes(), gauge("cache.larder.bytes.used", "cache", "bytes"));
            assertEquals(0, counter("cache.larder.rejections", "cache", "bytes"));

            cache.put(5L, new byte[cache.maxEntrySize()]);
            assertEquals(1, counter("cache.larder.rejections", "cache", "bytes"));
        }
        assertTrue(Double.isNaN(gauge("cache.larder.bytes.used", "cache", "bytes")), "closed: NaN");
    }

    @Test
    void theAdaptivePolicysFiguresArePublished()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(4 << 20).segments(4).hashSeed(5).build())
        {
            LarderCacheMetrics.monitor(registry, cache, "adaptive");
            final byte[] value = new byte[100];
            for (int round = 0; round < 4; round++)
            {
                for (long key = 0; key < 5_000; key++)
                {
                    if (cache.get(key) == null)
                    {
                        cache.put(key, value);
                    }
                }
            }
            for (long key = 1_000_000; key < 1_100_000; key++)
            {
                cache.put(key, value); // one-hit keys: most are refused at the main region's door
            }
            final CacheStats stats = cache.stats();
            assertEquals(dev.larder.EvictionMode.ADAPTIVE, stats.evictionMode());
            assertTrue(stats.admissionRejectionCount() > 0, stats::toString);
            assertEquals(stats.admissionRejectionCount(), counter("cache.larder.admission.rejections", "cache",
                "adaptive"));
            assertEquals(stats.windowShare(), gauge("cache.larder.window.share", "cache", "adaptive"));
        }
        assertTrue(Double.isNaN(gauge("cache.larder.window.share", "cache", "adaptive")), "closed: NaN");
    }

    @Test
    void aTypedCacheCountsLoads()
    {
        try (Cache<Long, String> cache = OffHeapCache.builder().capacity(1 << 20).segments(4)
            .build(Codecs.longs(), Codecs.utf8()))
        {
            LarderCacheMetrics.monitor(registry, cache, "typed");
            cache.get(1L, key -> "one");
            cache.get(2L, key -> null);
            assertEquals(1, counter("cache.load", "cache", "typed", "result", "success"));
            assertEquals(1, counter("cache.load", "cache", "typed", "result", "failure"));
            assertTrue(registry.get("cache.load.duration").tags("cache", "typed").timeGauge()
                .value(TimeUnit.NANOSECONDS) > 0);
            assertEquals(0, counter("cache.larder.expirations", "cache", "typed"));
            assertEquals(0, counter("cache.larder.second.chances", "cache", "typed"));
        }
    }

    @Test
    void aJCacheCacheCountsJCacheOperations()
    {
        final LarderCachingProvider provider = new LarderCachingProvider();
        try
        {
            final CacheManager manager = provider.getCacheManager(URI.create("test:metrics"),
                getClass().getClassLoader());
            final javax.cache.Cache<String, String> cache = manager.createCache("sessions",
                new LarderConfiguration<String, String>().setTypes(String.class, String.class)
                    .setCapacity(1 << 20).setSegments(4).setStatisticsEnabled(true));
            LarderJCacheMetrics.monitor(registry, cache, "app", "shop");
            cache.put("a", "1");
            cache.put("b", "2");
            cache.get("a");
            cache.get("z");
            cache.remove("b");

            assertEquals(1, counter("cache.gets", "cache", "sessions", "app", "shop", "result", "hit"));
            assertEquals(1, counter("cache.gets", "cache", "sessions", "result", "miss"));
            assertEquals(2, counter("cache.puts", "cache", "sessions"));
            assertEquals(1, counter("cache.removals", "cache", "sessions"));
            assertEquals(0, counter("cache.evictions", "cache", "sessions"));
            assertEquals(1, gauge("cache.size", "cache", "sessions"));
            assertEquals(1 << 20, gauge("cache.larder.bytes.capacity", "cache", "sessions"));
        }
        finally
        {
            provider.close();
        }
    }
}
