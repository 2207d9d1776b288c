package dev.larder.hazelcast;

import static dev.larder.hazelcast.TestCluster.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The near cache's behaviour on the shared real cluster: gets, writes, events from others, close. */
class NearCacheTest
{
    private final TestCluster cluster = TestCluster.get();

    private static LarderNearCache<Long, String> nearCache(final HazelcastInstance instance, final String map)
    {
        return LarderNearCache.builder(instance, map, Codecs.longs(), Codecs.utf8())
            .capacity(1 << 20).segments(16).build();
    }

    private static String mapName()
    {
        return "near-" + UUID.randomUUID();
    }

    @Test
    void aMissReadsTheMapOnceAndLaterGetsAreLocalHits()
    {
        final String name = mapName();
        cluster.clientA.<Long, String>getMap(name).set(1L, "one");
        try (LarderNearCache<Long, String> cache = nearCache(cluster.clientB, name))
        {
            assertEquals("one", cache.get(1L));
            assertEquals("one", cache.get(1L));
            assertEquals("one", cache.get(1L));
            final NearCacheStats stats = cache.stats();
            assertEquals(2, stats.hitCount());
            assertEquals(1, stats.missCount());
            assertEquals(1, stats.mapReadCount());
            assertEquals(1, stats.larder().entryCount());
        }
    }

    @Test
    void absentKeysAreNotCachedUnlessAskedTo()
    {
        final String name = mapName();
        try (LarderNearCache<Long, String> plain = nearCache(cluster.clientA, name);
             LarderNearCache<Long, String> negative = LarderNearCache
                 .builder(cluster.clientB, name, Codecs.longs(), Codecs.utf8())
                 .capacity(1 << 20).segments(16).cacheMisses(true).build())
        {
            assertNull(plain.get(7L));
            assertNull(plain.get(7L));
            assertEquals(2, plain.stats().mapReadCount());

            assertNull(negative.get(7L));
            assertNull(negative.get(7L));
            assertEquals(1, negative.stats().mapReadCount());
            assertEquals(1, negative.stats().hitCount());

            // the cached miss is invalidated by the added event
            final long before = negative.stats().invalidationCount();
            plain.put(7L, "seven");
            awaitTrue("B invalidated", () -> negative.stats().invalidationCount() > before);
            assertEquals("seven", negative.get(7L));
        }
    }

    @Test
    void anEmptyValueIsNotAMiss()
    {
        final String name = mapName();
        try (LarderNearCache<Long, String> cache = LarderNearCache
            .builder(cluster.clientA, name, Codecs.longs(), Codecs.utf8())
            .capacity(1 << 20).segments(16).cacheMisses(true).build())
        {
            cache.put(1L, "");
            // the put's own event would invalidate what a get near-caches before it arrives
            awaitTrue("own event seen", () -> cache.stats().invalidationCount() == 1);
            assertEquals("", cache.get(1L));
            assertEquals("", cache.get(1L));
            assertEquals(1, cache.stats().hitCount());
        }
    }

    @Test
    void writesThroughOneNearCacheInvalidateTheOthers()
    {
        final String name = mapName();
        try (LarderNearCache<Long, String> a = nearCache(cluster.clientA, name);
             LarderNearCache<Long, String> b = nearCache(cluster.clientB, name);
             LarderNearCache<Long, String> m = nearCache(cluster.members.get(0), name))
        {
            a.put(1L, "v1");
            awaitTrue("B and M saw the add", () -> b.stats().invalidationCount() >= 1 &&
                m.stats().invalidationCount() >= 1);
            assertEquals("v1", b.get(1L));
            assertEquals("v1", m.get(1L));
            assertEquals("v1", a.get(1L));

            final long bBefore = b.stats().invalidationCount();
            final long mBefore = m.stats().invalidationCount();
            a.put(1L, "v2");
            assertEquals("v2", a.get(1L)); // the writer's own near cache is invalidated before put returns
            awaitTrue("B and M saw the update", () ->
                b.stats().invalidationCount() > bBefore && m.stats().invalidationCount() > mBefore);
            assertEquals("v2", b.get(1L));
            assertEquals("v2", m.get(1L));

            final long bBeforeRemove = b.stats().invalidationCount();
            m.remove(1L);
            assertNull(m.get(1L));
            awaitTrue("B saw the remove", () -> b.stats().invalidationCount() > bBeforeRemove);
            assertNull(b.get(1L));
        }
    }

    @Test
    void writesOnTheMapItselfAndMapWideEventsInvalidate()
    {
        final String name = mapName();
        final IMap<Long, String> map = cluster.clientA.getMap(name);
        try (LarderNearCache<Long, String> b = nearCache(cluster.clientB, name))
        {
            map.set(1L, "one");
            map.set(2L, "two");
            awaitTrue("adds seen", () -> b.stats().invalidationCount() >= 2);
            assertEquals("one", b.get(1L));
            assertEquals("two", b.get(2L));
            assertEquals(2, b.stats().larder().entryCount());

            long before = b.stats().invalidationCount();
            map.clear();
            final long afterClear = before;
            awaitTrue("clear seen", () -> b.stats().invalidationCount() > afterClear);
            assertEquals(0, b.stats().larder().entryCount());
            assertNull(b.get(1L));

            map.set(3L, "three");
            awaitTrue("add seen", () -> b.stats().larder().entryCount() == 0 &&
                b.stats().invalidationCount() > afterClear + 1);
            assertEquals("three", b.get(3L));
            before = b.stats().invalidationCount();
            map.evictAll();
            final long afterEvict = before;
            awaitTrue("evictAll seen", () -> b.stats().invalidationCount() > afterEvict);
            assertEquals(0, b.stats().larder().entryCount());

            map.set(4L, "four", Duration.ofMillis(1).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            awaitTrue("expired", () -> map.get(4L) == null);
            assertNull(b.get(4L));
        }
    }

    @Test
    void closeDetachesListenersFreesMemoryAndLeavesTheMap()
    {
        final String name = mapName();
        final IMap<Long, String> map = cluster.clientA.getMap(name);
        map.set(1L, "one");
        final LarderNearCache<Long, String> b = nearCache(cluster.clientB, name);
        final LarderNearCache<Long, String> witness = nearCache(cluster.clientB, name);
        assertEquals("one", b.get(1L));
        final OffHeapCache larder = b.larder();
        final UUID[] registrations = b.registrations();

        b.close();
        b.close(); // idempotent

        assertTrue(larder.isClosed(), "Larder memory freed");
        assertTrue(b.isClosed());
        assertEquals("one", map.get(1L), "the map is untouched");
        assertEquals(1, map.size());
        for (final UUID id : registrations)
        {
            assertFalse(cluster.clientB.getLifecycleService().removeLifecycleListener(id));
            assertFalse(cluster.clientB.getCluster().removeMembershipListener(id));
            assertFalse(cluster.clientB.getMap(name).removeEntryListener(id), "map listener detached: " + id);
            assertFalse(cluster.clientB.getMap(name).removePartitionLostListener(id));
        }

        // events after close reach the witness, and nothing of the closed near cache
        final long before = witness.stats().invalidationCount();
        map.set(1L, "two");
        awaitTrue("witness invalidated", () -> witness.stats().invalidationCount() > before);
        witness.close();

        final IllegalStateException get = assertThrows(IllegalStateException.class, () -> b.get(1L));
        assertEquals("near cache is closed: map=" + name, get.getMessage());
        assertThrows(IllegalStateException.class, () -> b.put(1L, "x"));
        assertThrows(IllegalStateException.class, () -> b.remove(1L));
        assertThrows(IllegalStateException.class, b::stats);
        assertThrows(IllegalStateException.class, b::invalidateAll);
        assertEquals("two", map.get(1L));
    }

    @Test
    void builderValidatesEarlyWithMessagesNamingTheValues()
    {
        final HazelcastInstance hz = cluster.clientA;
        assertEquals("instance", assertThrows(NullPointerException.class, () ->
            LarderNearCache.builder(null, "m", Codecs.longs(), Codecs.utf8())).getMessage());
        assertEquals("mapName", assertThrows(NullPointerException.class, () ->
            LarderNearCache.builder(hz, null, Codecs.longs(), Codecs.utf8())).getMessage());
        assertEquals("keyCodec", assertThrows(NullPointerException.class, () ->
            LarderNearCache.builder(hz, "m", null, Codecs.utf8())).getMessage());
        assertEquals("valueCodec", assertThrows(NullPointerException.class, () ->
            LarderNearCache.builder(hz, "m", Codecs.longs(), null)).getMessage());
        assertEquals("mapName must not be empty: mapName=\"\"", assertThrows(IllegalArgumentException.class, () ->
            LarderNearCache.builder(hz, "", Codecs.longs(), Codecs.utf8())).getMessage());

        final LarderNearCacheBuilder<Long, String> builder =
            LarderNearCache.builder(hz, "m", Codecs.longs(), Codecs.utf8());
        assertEquals("capacity must be positive: capacity=0",
            assertThrows(IllegalArgumentException.class, () -> builder.capacity(0)).getMessage());
        assertEquals("segments must be a power of two: segments=100",
            assertThrows(IllegalArgumentException.class, () -> builder.segments(100)).getMessage());
        assertEquals("expectedEntrySize must be positive: expectedEntrySize=-1",
            assertThrows(IllegalArgumentException.class, () -> builder.expectedEntrySize(-1)).getMessage());
        assertEquals("ttl", assertThrows(NullPointerException.class, () -> builder.ttl(null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.ttl(Duration.ZERO));
        assertEquals("capacity must be set: call capacity(bytes)",
            assertThrows(IllegalStateException.class, builder::build).getMessage());
        assertEquals("capacity must be at least 4096 bytes per segment: capacity=8192, segments=256, minimum=1048576",
            assertThrows(IllegalArgumentException.class, () -> builder.capacity(8192).build()).getMessage());

        final HazelcastInstance stopped = TestCluster.startClient("stopped");
        stopped.shutdown();
        assertEquals("the Hazelcast instance must be running: instance=HazelcastClientInstance {NOT ACTIVE}",
            assertThrows(IllegalStateException.class, () ->
                LarderNearCache.builder(stopped, "m", Codecs.longs(), Codecs.utf8()).capacity(1 << 20).build())
                .getMessage());
    }
}
