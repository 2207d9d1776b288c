package dev.larder.examples.spring;

import dev.larder.jcache.LarderCache;
import dev.larder.micrometer.LarderJCacheMetrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.actuate.metrics.cache.CacheMeterBinderProvider;
import org.springframework.cache.jcache.JCacheCache;
import org.springframework.core.Ordered;

/**
 * {@link LarderJCacheMetrics} for a Spring {@link JCacheCache} over a Larder cache, and nothing for
 * any other cache; ordered before Spring Boot's own providers.
 *
 * <p>The Spring Boot 3 copy. Spring Boot 4 moved the interface to
 * {@code org.springframework.boot.cache.metrics}: {@code src/main/spring-boot-4} holds the same class
 * with that import, and the build compiles the copy that matches {@code spring-boot.version}.
 */
public final class LarderCacheMeterBinderProvider implements CacheMeterBinderProvider<JCacheCache>, Ordered
{
    @Override
    public MeterBinder getMeterBinder(final JCacheCache cache, final Iterable<Tag> tags)
    {
        final javax.cache.Cache<Object, Object> jcache = cache.getNativeCache();
        return jcache instanceof LarderCache<?, ?> larder ? new LarderJCacheMetrics(larder, tags) : null;
    }

    @Override
    public int getOrder()
    {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
