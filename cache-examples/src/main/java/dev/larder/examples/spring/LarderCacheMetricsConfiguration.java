package dev.larder.examples.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds Larder's meters ({@code LarderJCacheMetrics} from {@code cache-micrometer}) to the Larder
 * caches that Spring Boot's cache metrics bind at start-up, in place of Micrometer's
 * {@code JCacheMetrics}.
 *
 * <p>Spring Boot binds every cache its cache managers hold at start-up through the first
 * {@code CacheMeterBinderProvider} that returns a binder for it; for a JCache cache that is
 * Micrometer's {@code JCacheMetrics}, which reads {@code cache.gets}, {@code cache.puts},
 * {@code cache.evictions} and {@code cache.removals} from the cache's statistics MXBean (it works
 * with Larder's). {@link LarderCacheMeterBinderProvider} comes first and answers for Larder's caches
 * only, with the same meters and tags ({@code cache}, {@code cache.manager}) plus {@code cache.size}
 * and Larder's {@code cache.larder.*} meters; any other cache falls through to Spring Boot's
 * providers. Binding both binders to one cache would count everything twice as soon as their tags
 * differ (the actuator adds up every meter of a name), and when the tags are equal the registry
 * keeps whichever came first.
 */
@Configuration(proxyBeanMethods = false)
public class LarderCacheMetricsConfiguration
{
    @Bean
    public LarderCacheMeterBinderProvider larderCacheMeterBinderProvider()
    {
        return new LarderCacheMeterBinderProvider();
    }
}
