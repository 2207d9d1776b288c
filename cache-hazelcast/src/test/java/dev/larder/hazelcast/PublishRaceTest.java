package dev.larder.hazelcast;

import static dev.larder.hazelcast.TestCluster.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import dev.larder.codec.Codecs;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The read race, made deterministic: a hook holds a get between its map read and its publish while
 * the test delivers an invalidation (a write's event, an own write, a map clear, lost events), then
 * lets it go. The value read must be returned (the get began before the write) but never stored.
 */
class PublishRaceTest
{
    /** A thread per get, whatever the core count (the common pool may have one thread). */
    private static final Executor THREADS = task -> new Thread(task).start();

    private final TestCluster cluster = TestCluster.get();

    /** A get of key 1 in another thread, held after its map read until {@link #release()}. */
    private static final class HeldGet
    {
        private final CountDownLatch read = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final CompletableFuture<String> result;

        HeldGet(final LarderNearCache<Long, String> cache)
        {
            cache.beforePublish = key -> {
                cache.beforePublish = null; // the first read only
                read.countDown();
                await(release);
            };
            result = CompletableFuture.supplyAsync(() -> cache.get(1L), THREADS);
            await(read);
        }

        String release() throws Exception
        {
            release.countDown();
            return result.get(60, TimeUnit.SECONDS);
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(60, TimeUnit.SECONDS), "hang guard");
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private LarderNearCache<Long, String> nearCacheOverV1(final String name)
    {
        cluster.clientA.<Long, String>getMap(name).set(1L, "v1");
        return LarderNearCache.builder(cluster.clientB, name, Codecs.longs(), Codecs.utf8())
            .capacity(1 << 20).segments(16).build();
    }

    private void raceWith(final Consumer<LarderNearCache<Long, String>> interference, final String expectedAfter)
        throws Exception
    {
        final String name = "race-" + UUID.randomUUID();
        try (LarderNearCache<Long, String> b = nearCacheOverV1(name))
        {
            final HeldGet get = new HeldGet(b);
            interference.accept(b);
            assertEquals("v1", get.release(), "the get read before the write: it returns what it read");

            final NearCacheStats stats = b.stats();
            assertEquals(1, stats.stalePublishPreventedCount());
            assertEquals(0, stats.larder().entryCount(), "the value read was not stored");
            assertEquals(expectedAfter, b.get(1L));
            assertEquals(2, b.stats().mapReadCount());
        }
    }

    @Test
    void anotherClientsWriteWhoseEventArrivesDuringTheReadPreventsThePublish() throws Exception
    {
        raceWith(b -> {
            final IMap<Long, String> map = cluster.clientA.getMap(b.map().getName());
            map.set(1L, "v2");
            awaitTrue("B's invalidation delivered while its read is in flight", () ->
                b.stats().invalidationCount() == 1);
        }, "v2");
    }

    @Test
    void anOwnWriteDuringTheReadPreventsThePublish() throws Exception
    {
        raceWith(b -> b.put(1L, "v2"), "v2");
    }

    @Test
    void aMapClearDuringTheReadPreventsThePublish() throws Exception
    {
        raceWith(b -> {
            cluster.clientA.getMap(b.map().getName()).clear();
            awaitTrue("B's clear delivered", () -> b.stats().invalidationCount() == 1);
        }, null);
    }

    @Test
    void lostEventsDuringTheReadPreventThePublish() throws Exception
    {
        raceWith(b -> {
            b.onLostEvents("test");
            awaitTrue("listener registered again", b::inSync);
        }, "v1");
    }

    @Test
    void withoutInterferenceTheValueIsPublished() throws Exception
    {
        final String name = "race-" + UUID.randomUUID();
        try (LarderNearCache<Long, String> b = nearCacheOverV1(name))
        {
            final HeldGet get = new HeldGet(b);
            assertEquals("v1", get.release());
            assertEquals(0, b.stats().stalePublishPreventedCount());
            assertEquals("v1", b.get(1L));
            assertEquals(1, b.stats().hitCount());
            assertEquals(1, b.stats().mapReadCount());
        }
    }

    @Test
    void threadsMissingTheSameKeyAtOnceMakeOneMapRead() throws Exception
    {
        final String name = "race-" + UUID.randomUUID();
        try (LarderNearCache<Long, String> b = nearCacheOverV1(name))
        {
            final HeldGet leader = new HeldGet(b);
            final List<CompletableFuture<String>> followers = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                followers.add(CompletableFuture.supplyAsync(() -> b.get(1L), THREADS));
            }
            awaitTrue("4 followers wait for the leader's read", () -> b.stats().coalescedReadCount() == 4);
            assertEquals("v1", leader.release());
            for (final CompletableFuture<String> follower : followers)
            {
                assertEquals("v1", follower.get(60, TimeUnit.SECONDS));
            }
            final NearCacheStats stats = b.stats();
            assertEquals(1, stats.mapReadCount());
            assertEquals(5, stats.missCount());
            assertEquals("v1", b.get(1L));
            assertEquals(1, b.stats().hitCount());
        }
    }
}
