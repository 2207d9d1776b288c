package dev.larder.micrometer;

import dev.larder.hazelcast.LarderNearCache;
import dev.larder.hazelcast.NearCacheStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters for a {@link LarderNearCache} (cache-hazelcast): Micrometer's cache meters count
 * the near cache's own gets, and the {@code cache.larder.near.*} meters its traffic with the map;
 * the {@code cache.larder.*} meters of {@link LarderCacheMetrics} come from the Larder cache
 * underneath.
 *
 * <pre>{@code
 * LarderNearCacheMetrics.monitor(registry, nearCache, "products");
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code cache=<name>} and the given tags)</caption>
 *   <tr><th>name</th><th>type</th><th>from {@link NearCacheStats}</th></tr>
 *   <tr><td>{@code cache.gets{result=hit|miss}}</td><td>function counter</td><td>hitCount, missCount</td></tr>
 *   <tr><td>{@code cache.puts}</td><td>function counter</td><td>values near-cached (Larder's putCount)</td></tr>
 *   <tr><td>{@code cache.evictions}</td><td>function counter</td><td>Larder's evictionCount</td></tr>
 *   <tr><td>{@code cache.size}</td><td>gauge</td><td>Larder's entryCount</td></tr>
 *   <tr><td>{@code cache.larder.near.map.reads}</td><td>function counter</td><td>mapReadCount</td></tr>
 *   <tr><td>{@code cache.larder.near.coalesced.reads}</td><td>function counter</td><td>coalescedReadCount</td></tr>
 *   <tr><td>{@code cache.larder.near.invalidations}</td><td>function counter</td><td>invalidationCount</td></tr>
 *   <tr><td>{@code cache.larder.near.stale.publishes.prevented}</td><td>function counter</td>
 *       <td>stalePublishPreventedCount</td></tr>
 *   <tr><td>{@code cache.larder.near.lost.event.clears}</td><td>function counter</td><td>lostEventClearCount</td></tr>
 *   <tr><td>{@code cache.larder.bytes.used}, {@code .capacity}, {@code cache.larder.expirations},
 *       {@code .rejections}, {@code .second.chances}</td><td></td><td>as in {@link LarderCacheMetrics}</td></tr>
 * </table>
 *
 * <h2>Where it lives</h2>
 * Here, with cache-hazelcast an optional dependency, as Micrometer keeps its own binders for
 * Caffeine, JCache and Hazelcast in micrometer-core with those libraries optional: whoever binds a
 * near cache has cache-hazelcast already, and cache-hazelcast stays free of Micrometer.
 * The near cache is held weakly; a closed one reads as NaN.
 */
public final class LarderNearCacheMetrics extends CacheMeterBinder<LarderNearCache<?, ?>>
{
    /**
     * @param cache     the near cache
     * @param cacheName the value of the {@code cache} tag
     * @param tags      more tags
     */
    public LarderNearCacheMetrics(final LarderNearCache<?, ?> cache, final String cacheName, final Iterable<Tag> tags)
    {
        super(cache, cacheName, tags);
    }

    /**
     * Binds the meters of a near cache.
     *
     * @param tags key, value, key, value...
     * @return the near cache
     */
    public static <C extends LarderNearCache<?, ?>> C monitor(
        final MeterRegistry registry, final C cache, final String cacheName, final String... tags)
    {
        new LarderNearCacheMetrics(cache, cacheName, Tags.of(tags)).bindTo(registry);
        return cache;
    }

    private static NearCacheStats stats(final LarderNearCache<?, ?> cache)
    {
        return LarderCacheMetrics.statsIfOpen(cache, LarderNearCache::isClosed, LarderNearCache::stats);
    }

    private long read(final ToLongFunction<NearCacheStats> counter, final long whenClosed)
    {
        final NearCacheStats stats = stats(getCache());
        return stats == null ? whenClosed : counter.applyAsLong(stats);
    }

    @Override
    protected Long size()
    {
        final NearCacheStats stats = stats(getCache());
        return stats == null ? null : stats.larder().entryCount();
    }

    @Override
    protected long hitCount()
    {
        return read(NearCacheStats::hitCount, 0);
    }

    @Override
    protected Long missCount()
    {
        final NearCacheStats stats = stats(getCache());
        return stats == null ? null : stats.missCount();
    }

    @Override
    protected Long evictionCount()
    {
        final NearCacheStats stats = stats(getCache());
        return stats == null ? null : stats.larder().evictionCount();
    }

    @Override
    protected long putCount()
    {
        return read(s -> s.larder().putCount(), 0);
    }

    @Override
    protected void bindImplementationSpecificMetrics(final MeterRegistry registry)
    {
        final LarderNearCache<?, ?> cache = getCache();
        if (cache == null)
        {
            return;
        }
        final Iterable<Tag> tags = getTagsWithCacheName();
        counter(registry, cache, tags, "cache.larder.near.map.reads", NearCacheStats::mapReadCount,
            "Reads of the map made for near-cache misses (one per key however many threads missed it)");
        counter(registry, cache, tags, "cache.larder.near.coalesced.reads", NearCacheStats::coalescedReadCount,
            "Near-cache misses that waited for another thread's read of the same key");
        counter(registry, cache, tags, "cache.larder.near.invalidations", NearCacheStats::invalidationCount,
            "Map events received that invalidate near-cached entries");
        counter(registry, cache, tags, "cache.larder.near.stale.publishes.prevented",
            NearCacheStats::stalePublishPreventedCount,
            "Values read from the map and not near-cached because an invalidation arrived during the read");
        counter(registry, cache, tags, "cache.larder.near.lost.event.clears", NearCacheStats::lostEventClearCount,
            "Times the near cache was cleared because map events may have been lost");
        LarderCacheMetrics.bindLarderMeters(registry, cache.larder(), tags);
    }

    private static void counter(
        final MeterRegistry registry, final LarderNearCache<?, ?> cache, final Iterable<Tag> tags, final String name,
        final ToLongFunction<NearCacheStats> counter, final String description)
    {
        final ToDoubleFunction<LarderNearCache<?, ?>> reading = c -> {
            final NearCacheStats stats = stats(c);
            return stats == null ? Double.NaN : counter.applyAsLong(stats);
        };
        FunctionCounter.builder(name, cache, reading).tags(tags).description(description).register(registry);
    }
}
