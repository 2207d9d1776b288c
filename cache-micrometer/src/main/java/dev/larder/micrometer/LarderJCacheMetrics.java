package dev.larder.micrometer;

import dev.larder.OffHeapCache;
import dev.larder.jcache.LarderCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * Micrometer meters for a cache of Larder's JCache provider: {@code cache.gets}, {@code cache.puts},
 * {@code cache.evictions} and {@code cache.removals} count JCache operations (its
 * {@link CacheStatisticsMXBean}, so turn statistics on: {@code setStatisticsEnabled(true)} or
 * {@code cache.<name>.statistics=true}); {@code cache.size} and the {@code cache.larder.*} meters
 * of {@link LarderCacheMetrics} come from the off-heap cache underneath.
 *
 * <pre>{@code
 * LarderJCacheMetrics.monitor(registry, jcache);    // tagged cache=<its name>
 * }</pre>
 */
public final class LarderJCacheMetrics extends CacheMeterBinder<LarderCache<?, ?>>
{
    /**
     * @param cache the JCache cache
     * @param tags  more tags (the cache's name is the {@code cache} tag)
     */
    public LarderJCacheMetrics(final LarderCache<?, ?> cache, final Iterable<Tag> tags)
    {
        super(cache, cache.getName(), tags);
    }

    /**
     * Binds the meters of a cache of Larder's JCache provider.
     *
     * @param cache a cache whose {@code unwrap(LarderCache.class)} works
     * @param tags  key, value, key, value...
     * @return the cache
     * @throws IllegalArgumentException when the cache is not one of Larder's
     */
    public static <C extends javax.cache.Cache<?, ?>> C monitor(
        final MeterRegistry registry, final C cache, final String... tags)
    {
        new LarderJCacheMetrics(cache.unwrap(LarderCache.class), Tags.of(tags)).bindTo(registry);
        return cache;
    }

    private CacheStatisticsMXBean statistics()
    {
        final LarderCache<?, ?> cache = getCache();
        return cache == null ? null : cache.statistics();
    }

    @Override
    protected Long size()
    {
        final LarderCache<?, ?> cache = getCache();
        if (cache == null || cache.isClosed())
        {
            return null;
        }
        final dev.larder.CacheStats stats = LarderCacheMetrics.stats(cache.unwrap(OffHeapCache.class));
        return stats == null ? null : stats.entryCount();
    }

    @Override
    protected long hitCount()
    {
        final CacheStatisticsMXBean statistics = statistics();
        return statistics == null ? 0 : statistics.getCacheHits();
    }

    @Override
    protected Long missCount()
    {
        final CacheStatisticsMXBean statistics = statistics();
        return statistics == null ? null : statistics.getCacheMisses();
    }

    @Override
    protected Long evictionCount()
    {
        final CacheStatisticsMXBean statistics = statistics();
        return statistics == null ? null : statistics.getCacheEvictions();
    }

    @Override
    protected long putCount()
    {
        final CacheStatisticsMXBean statistics = statistics();
        return statistics == null ? 0 : statistics.getCachePuts();
    }

    @Override
    protected void bindImplementationSpecificMetrics(final MeterRegistry registry)
    {
        final LarderCache<?, ?> cache = getCache();
        if (cache == null)
        {
            return;
        }
        final Iterable<Tag> tags = getTagsWithCacheName();
        FunctionCounter.builder("cache.removals", cache, c -> c.statistics().getCacheRemovals())
            .tags(tags)
            .description("Entries removed from the cache by JCache operations")
            .register(registry);
        LarderCacheMetrics.bindLarderMeters(registry, cache.unwrap(OffHeapCache.class), tags);
    }
}
