package dev.larder.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
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
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "larder.example.lookup-delay=50ms"})
@DirtiesContext
class LarderSpringApplicationTest
{
    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-+0-9.eE]+|\"NaN\")");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Value("${local.server.port}")
    private int port;

    @Autowired
    private CacheManager cacheManager;

    @Autowired
    private SlowProductLookup lookup;

    @Test
    void secondCallIsALarderCacheHit() throws Exception
    {
        final javax.cache.Cache<?, ?> jcache = (javax.cache.Cache<?, ?>)cacheManager.getCache("products").getNativeCache();
        final OffHeapCache larder = jcache.unwrap(OffHeapCache.class);
        assertEquals(64L << 20, larder.stats().capacityBytes(), "sized by larder.properties");

        final CacheStats before = larder.stats();
        final long lookupsBefore = lookup.lookups();
        final double hitsBefore = metric("cache.gets", "result:hit", "cache:products");
        final double missesBefore = metric("cache.gets", "result:miss", "cache:products");
        final double putsBefore = metric("cache.puts", "cache:products");

        final String first = get("/products/42");
        final String second = get("/products/42");

        assertTrue(first.contains("\"name\":\"product-42\""), first);
        assertEquals(first, second);
        assertEquals(1, lookup.lookups() - lookupsBefore, "the slow lookup ran once");

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

    /** @return the body of a 200 response to {@code GET path}. */
    private String get(final String path) throws IOException, InterruptedException
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
        final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> "GET " + path + ": " + response.body());
        return response.body();
    }

    /** @return the first measurement of a meter from {@code /actuator/metrics/<name>?tag=...}. */
    private double metric(final String name, final String... tags) throws IOException, InterruptedException
    {
        final StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
        for (int i = 0; i < tags.length; i++)
        {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        final String body = get(path.toString());
        final Matcher value = VALUE.matcher(body);
        assertTrue(value.find(), body);
        return Double.parseDouble(value.group(1).replace("\"", ""));
    }
}
