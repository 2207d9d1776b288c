package dev.larder.micrometer;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a Larder cache, after Micrometer's cache conventions (the meters of its
 * {@link CacheMeterBinder}, as for Caffeine) plus Larder's own.
 *
 * <pre>{@code
 * LarderCacheMetrics.monitor(registry, cache, "sessions");          // an OffHeapCache
 * LarderCacheMetrics.monitor(registry, typedCache, "users", "region", "eu");  // a dev.larder.Cache
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code cache=<name>} and the given tags)</caption>
 *   <tr><th>name</th><th>type</th><th>from {@link CacheStats}</th></tr>
 *   <tr><td>{@code cache.gets{result=hit|miss}}</td><td>function counter</td><td>hitCount, missCount</td></tr>
 *   <tr><td>{@code cache.puts}</td><td>function counter</td><td>putCount</td></tr>
 *   <tr><td>{@code cache.evictions}</td><td>function counter</td><td>evictionCount</td></tr>
 *   <tr><td>{@code cache.size}</td><td>gauge</td><td>entryCount</td></tr>
 *   <tr><td>{@code cache.load{result=success|failure}}</td><td>function counter</td>
 *       <td>loadSuccessCount, loadFailureCount</td></tr>
 *   <tr><td>{@code cache.load.duration}</td><td>time gauge</td><td>totalLoadTimeNanos</td></tr>
 *   <tr><td>{@code cache.larder.bytes.used}</td><td>gauge, bytes</td><td>usedBytes</td></tr>
 *   <tr><td>{@code cache.larder.bytes.capacity}</td><td>gauge, bytes</td><td>capacityBytes</td></tr>
 *   <tr><td>{@code cache.larder.expirations}</td><td>function counter</td><td>expirationCount</td></tr>
 *   <tr><td>{@code cache.larder.rejections}</td><td>function counter</td><td>rejectionCount</td></tr>
 *   <tr><td>{@code cache.larder.second.chances}</td><td>function counter</td><td>secondChanceCount</td></tr>
 *   <tr><td>{@code cache.larder.admission.rejections}</td><td>function counter</td>
 *       <td>admissionRejectionCount</td></tr>
 *   <tr><td>{@code cache.larder.window.share}</td><td>gauge</td><td>windowShare</td></tr>
 * </table>
 *
 * Each meter reads {@link OffHeapCache#stats()} when it is published (the registry's scrape), never
 * on the cache's own operations, so binding costs the cache nothing. The cache is held weakly; a
 * closed or collected cache reads as NaN.
 */
public final class LarderCacheMetrics extends CacheMeterBinder<OffHeapCache>
{
    /**
     * @param cache     the cache to measure
     * @param cacheName the value of the {@code cache} tag
     * @param tags      more tags
     */
    public LarderCacheMetrics(final OffHeapCache cache, final String cacheName, final Iterable<Tag> tags)
    {
        super(cache, cacheName, tags);
    }

    /**
     * Binds the meters of a byte-level cache.
     *
     * @param tags key, value, key, value...
     * @return the cache
     */
    public static OffHeapCache monitor(
        final MeterRegistry registry, final OffHeapCache cache, final String cacheName, final String... tags)
    {
        new LarderCacheMetrics(cache, cacheName, Tags.of(tags)).bindTo(registry);
        return cache;
    }

    /**
     * Binds the meters of a typed cache (those of the byte-level cache underneath).
     *
     * @param tags key, value, key, value...
     * @return the cache
     */
    public static <C extends dev.larder.Cache<?, ?>> C monitor(
        final MeterRegistry registry, final C cache, final String cacheName, final String... tags)
    {
        new LarderCacheMetrics(cache.bytes(), cacheName, Tags.of(tags)).bindTo(registry);
        return cache;
    }

    private CacheStats stats()
    {
        final OffHeapCache cache = getCache();
        return stats(cache);
    }

    static CacheStats stats(final OffHeapCache cache)
    {
        return statsIfOpen(cache, OffHeapCache::isClosed, OffHeapCache::stats);
    }

    /** @return the statistics of {@code cache}, or null when it is gone or closed (also while being read). */
    static <C, S> S statsIfOpen(
        final C cache, final java.util.function.Predicate<C> isClosed, final java.util.function.Function<C, S> stats)
    {
        if (cache == null || isClosed.test(cache))
        {
            return null;
        }
        try
        {
            return stats.apply(cache);
        }
        catch (final IllegalStateException ex)
        {
            return null; // closed while we read
        }
    }

    @Override
    protected Long size()
    {
        final CacheStats stats = stats();
        return stats == null ? null : stats.entryCount();
    }

    @Override
    protected long hitCount()
    {
        final CacheStats stats = stats();
        return stats == null ? 0 : stats.hitCount();
    }

    @Override
    protected Long missCount()
    {
        final CacheStats stats = stats();
        return stats == null ? null : stats.missCount();
    }

    @Override
    protected Long evictionCount()
    {
        final CacheStats stats = stats();
        return stats == null ? null : stats.evictionCount();
    }

    @Override
    protected long putCount()
    {
        final CacheStats stats = stats();
        return stats == null ? 0 : stats.putCount();
    }

    @Override
    protected void bindImplementationSpecificMetrics(final MeterRegistry registry)
    {
        final OffHeapCache cache = getCache();
        if (cache == null)
        {
            return;
        }
        final Iterable<Tag> tags = getTagsWithCacheName();
        TimeGauge.builder("cache.load.duration", cache, TimeUnit.NANOSECONDS, read(CacheStats::totalLoadTimeNanos))
            .tags(tags)
            .description("The time the cache has spent loading new values")
            .register(registry);
        FunctionCounter.builder("cache.load", cache, read(CacheStats::loadSuccessCount))
            .tags(tags)
            .tags("result", "success")
            .description("The number of times a loader returned a value")
            .register(registry);
        FunctionCounter.builder("cache.load", cache, read(CacheStats::loadFailureCount))
            .tags(tags)
            .tags("result", "failure")
            .description("The number of times a loader threw or returned null")
            .register(registry);
        bindLarderMeters(registry, cache, tags);
    }

    /** The meters only Larder has: off-heap bytes, expirations, rejections, second chances. */
    static void bindLarderMeters(final MeterRegistry registry, final OffHeapCache cache, final Iterable<Tag> tags)
    {
        Gauge.builder("cache.larder.bytes.used", cache, read(CacheStats::usedBytes))
            .tags(tags)
            .baseUnit("bytes")
            .description("Off-heap bytes in use: live records and the index")
            .register(registry);
        Gauge.builder("cache.larder.bytes.capacity", cache, read(CacheStats::capacityBytes))
            .tags(tags)
            .baseUnit("bytes")
            .description("The configured off-heap capacity")
            .register(registry);
        FunctionCounter.builder("cache.larder.expirations", cache, read(CacheStats::expirationCount))
            .tags(tags)
            .description("Expired entries reclaimed")
            .register(registry);
        FunctionCounter.builder("cache.larder.rejections", cache, read(CacheStats::rejectionCount))
            .tags(tags)
            .description("Writes refused because the entry exceeds the per-entry limit")
            .register(registry);
        FunctionCounter.builder("cache.larder.second.chances", cache, read(CacheStats::secondChanceCount))
            .tags(tags)
            .description("Recently read entries moved to the ring's tail instead of being evicted")
            .register(registry);
        FunctionCounter.builder("cache.larder.admission.rejections", cache,
            read(CacheStats::admissionRejectionCount))
            .tags(tags)
            .description("New entries the adaptive policy refused at the main region's door (evicted)")
            .register(registry);
        Gauge.builder("cache.larder.window.share", cache, c ->
            {
                final CacheStats stats = stats(c);
                return stats == null ? Double.NaN : stats.windowShare();
            })
            .tags(tags)
            .description("Share of each segment's entries the adaptive policy's admission window holds")
            .register(registry);
    }

    /** A reading of one counter; NaN once the cache is closed. */
    static ToDoubleFunction<OffHeapCache> read(final java.util.function.ToLongFunction<CacheStats> counter)
    {
        return cache -> {
            final CacheStats stats = stats(cache);
            return stats == null ? Double.NaN : counter.applyAsLong(stats);
        };
    }
}
