package dev.larder.examples;

import dev.larder.Cache;
import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read-through with single-flight: 32 threads miss the same key at once and the slow loader runs once.
 */
public final class LoaderExample
{
    private LoaderExample()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final AtomicInteger databaseCalls = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(32);
        try (Cache<Long, String> users = OffHeapCache.builder().capacity(16L << 20).build(Codecs.longs(),
            Codecs.utf8()))
        {
            final List<CompletableFuture<String>> callers = new ArrayList<>();
            for (int i = 0; i < 32; i++)
            {
                callers.add(CompletableFuture.supplyAsync(() -> users.get(42L, id -> {
                    databaseCalls.incrementAndGet();
                    sleep(100);   // a slow database
                    return "user-" + id;
                }), pool));
            }
            for (final CompletableFuture<String> caller : callers)
            {
                caller.join();
            }
            System.out.println("32 callers got " + callers.get(0).join() + "; the loader ran " + databaseCalls.get() +
                " time(s)");

            // asynchronous read-through on a caller-supplied executor
            final String loaded = users.getAsync(7L, id -> "user-" + id, pool).get(5, TimeUnit.SECONDS);
            System.out.println("async load: " + loaded);

            final CacheStats stats = users.stats();
            System.out.printf("loads: %d ok, %d failed, %.1f ms on average%n", stats.loadSuccessCount(),
                stats.loadFailureCount(), stats.averageLoadPenaltyNanos() / 1e6);
        }
        finally
        {
            pool.shutdown();
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
}
