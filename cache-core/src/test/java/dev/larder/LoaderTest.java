package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoaderTest
{
    private static final int THREADS = 64;

    private final Cache<String, String> cache = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(),
        Codecs.utf8());
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void close() throws InterruptedException
    {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cache.close();
    }

    /** Starts 64 callers of {@code call} at once, the loader held until all have missed. */
    private List<CompletableFuture<Object>> stampede(final java.util.function.Supplier<Object> call)
    {
        final CountDownLatch ready = new CountDownLatch(THREADS);
        final CountDownLatch go = new CountDownLatch(1);
        final List<CompletableFuture<Object>> results = new ArrayList<>();
        for (int i = 0; i < THREADS; i++)
        {
            results.add(CompletableFuture.supplyAsync(() -> {
                ready.countDown();
                await(go);
                return call.get();
            }, pool));
        }
        await(ready);
        go.countDown();
        return results;
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void sixtyFourThreadsMissingTheSameKeyRunTheLoaderOnce()
    {
        final AtomicInteger calls = new AtomicInteger();
        final List<CompletableFuture<Object>> results = stampede(() -> cache.get("hot", key -> {
            calls.incrementAndGet();
            sleep(200);
            return "loaded:" + key;
        }));
        for (final CompletableFuture<Object> result : results)
        {
            assertEquals("loaded:hot", result.join());
        }
        assertEquals(1, calls.get());
        assertEquals("loaded:hot", cache.get("hot"));
        final CacheStats stats = cache.stats();
        assertEquals(1, stats.loadSuccessCount());
        assertEquals(0, stats.loadFailureCount());
        assertTrue(stats.totalLoadTimeNanos() >= 150_000_000L, "load time recorded: " + stats.totalLoadTimeNanos());
    }

    @Test
    void aLoaderExceptionReachesEveryWaiterAndIsNotCached()
    {
        final AtomicInteger calls = new AtomicInteger();
        final IllegalStateException failure = new IllegalStateException("database down");
        final List<CompletableFuture<Object>> results = stampede(() -> {
            try
            {
                return cache.get("k", key -> {
                    calls.incrementAndGet();
                    sleep(200);
                    throw failure;
                });
            }
            catch (final IllegalStateException ex)
            {
                return ex;
            }
        });
        for (final CompletableFuture<Object> result : results)
        {
            assertSame(failure, result.join(), "the loader's own exception");
        }
        assertEquals(1, calls.get());
        assertNull(cache.get("k"), "nothing cached");
        assertEquals(1, cache.stats().loadFailureCount());
        assertEquals("second", cache.get("k", key -> "second"), "the next caller loads again");
    }

    @Test
    void aNullResultIsReturnedButNotCached()
    {
        final AtomicInteger calls = new AtomicInteger();
        assertNull(cache.get("k", key -> {
            calls.incrementAndGet();
            return null;
        }));
        assertNull(cache.get("k", key -> {
            calls.incrementAndGet();
            return null;
        }));
        assertEquals(2, calls.get());
        assertEquals(0, cache.stats().entryCount());
        assertEquals(2, cache.stats().loadFailureCount());
    }

    @Test
    void aLoaderMayReadAndWriteItsCacheButNotLoadThroughIt()
    {
        cache.put("base", "1");
        assertEquals("1+", cache.get("derived", key -> {
            cache.put("side", "written by the loader");
            return cache.get("base") + "+";
        }));
        assertEquals("written by the loader", cache.get("side"));
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> cache.get("outer", key -> cache.get("inner", inner -> "never")));
        assertEquals("a loader must not call get(key, loader) or getAsync on its own cache: the nested load could " +
            "wait for the load that runs it", ex.getMessage());
        assertNull(cache.get("outer"));
        assertNull(cache.get("inner"));
        assertEquals("loaded", cache.get("outer", key -> "loaded"), "the refusal leaves nothing behind");
    }

    @Test
    void aHitNeverCallsTheLoader()
    {
        cache.put("k", "cached");
        assertEquals("cached", cache.get("k", key -> {
            throw new AssertionError("loader called on a hit");
        }));
    }

    @Test
    void asyncLoadsRunOnTheExecutorSingleFlight() throws Exception
    {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++)
        {
            futures.add(cache.getAsync("k", key -> {
                calls.incrementAndGet();
                await(release);
                return "async";
            }, pool));
        }
        release.countDown();
        for (final CompletableFuture<String> future : futures)
        {
            assertEquals("async", future.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, calls.get());
        assertTrue(cache.getAsync("k", key -> "other", pool).isDone(), "a hit completes at once");
        final CompletableFuture<String> failed = cache.getAsync("bad", key -> {
            throw new IllegalArgumentException("no");
        }, pool);
        final CompletionException ex = assertThrows(CompletionException.class, failed::join);
        assertEquals("no", ex.getCause().getMessage());
        assertNull(cache.get("bad"));
    }
}
