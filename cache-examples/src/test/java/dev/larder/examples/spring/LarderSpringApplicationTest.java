package dev.larder.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.cache.CacheManager;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Boots the real service (Larder chosen by {@code application.properties} alone, a real web server on
 * 127.0.0.1 and a random port, the real actuator), calls {@code GET /products/42} twice over HTTP and
 * checks, from Larder's own statistics and from the actuator's metrics, that the second call was a
 * cache hit and the slow lookup ran once. The context is closed after the class
 * ({@code @DirtiesContext}), which closes the JCache manager and frees the off-heap memory.
 * {@link HazelcastSpringApplicationTest} runs the same service code on Hazelcast's provider.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "larder.example.lookup-delay=50ms"})
@DirtiesContext
class LarderSpringApplicationTest extends ProductServiceHttp
{
    @Autowired
    private CacheManager cacheManager;

    @Test
    void secondCallIsALarderCacheHit() throws Exception
    {
        final javax.cache.Cache<?, ?> jcache =
            (javax.cache.Cache<?, ?>)cacheManager.getCache("products").getNativeCache();
        final OffHeapCache larder = jcache.unwrap(OffHeapCache.class);
        assertEquals(64L << 20, larder.stats().capacityBytes(), "sized by larder.properties");

        final CacheStats before = larder.stats();
        final double hitsBefore = metric("cache.gets", "result:hit", "cache:products");
        final double missesBefore = metric("cache.gets", "result:miss", "cache:products");
        final double putsBefore = metric("cache.puts", "cache:products");

        secondCallIsACacheHit(42);

        final CacheStats after = larder.stats();
        assertEquals(1, after.hitCount() - before.hitCount(), "Larder: the second call hit");
        assertEquals(1, after.putCount() - before.putCount(), "Larder: the first call stored the product");
        assertEquals(1, after.entryCount());

        assertEquals(1.0, metric("cache.gets", "result:hit", "cache:products") - hitsBefore, "actuator: hits");
        assertEquals(1.0, metric("cache.gets", "result:miss", "cache:products") - missesBefore, "actuator: misses");
        assertEquals(1.0, metric("cache.puts", "cache:products") - putsBefore, "actuator: puts");
        assertEquals(1.0, metric("cache.size", "cache:products"), "actuator: size");
        assertEquals((double)(64L << 20), metric("cache.larder.bytes.capacity", "cache:products"));
        assertTrue(metric("cache.larder.bytes.used", "cache:products") > 0, "actuator: off-heap bytes in use");
    }
}
