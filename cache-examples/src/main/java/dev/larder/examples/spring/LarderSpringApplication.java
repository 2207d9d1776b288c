package dev.larder.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A small Spring Boot service whose {@code @Cacheable} cache is a Larder cache, chosen by
 * configuration alone ({@code application.properties}):
 *
 * <pre>
 * spring.cache.type=jcache
 * spring.cache.jcache.provider=dev.larder.jcache.LarderCachingProvider
 * spring.cache.jcache.config=classpath:larder.properties
 * spring.cache.cache-names=products
 * </pre>
 *
 * {@code larder.properties} sizes the {@code products} cache (64 MiB off-heap) and turns its
 * statistics on. {@link ProductCatalog} caches a deliberately slow {@link SlowProductLookup};
 * {@link ProductController} serves {@code GET /products/{id}}; the actuator shows the cache's meters
 * ({@code /actuator/metrics/cache.gets?tag=result:hit}, {@code cache.larder.bytes.used}...), bound
 * by {@link LarderCacheMetricsConfiguration}. Run it with
 *
 * <pre>
 * mvn -B -q -DskipTests package exec:exec -pl cache-examples -am \
 *     -Ddemo.main=dev.larder.examples.spring.LarderSpringApplication
 * curl localhost:8080/products/42; curl localhost:8080/products/42
 * curl 'localhost:8080/actuator/metrics/cache.gets?tag=result:hit'
 * </pre>
 */
@SpringBootApplication
@EnableCaching
public class LarderSpringApplication
{
    public static void main(final String[] args)
    {
        SpringApplication.run(LarderSpringApplication.class, args);
    }
}
