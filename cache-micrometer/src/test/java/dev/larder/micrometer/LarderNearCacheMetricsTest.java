package dev.larder.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.larder.codec.Codecs;
import dev.larder.hazelcast.LarderNearCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The near cache's meters, on a real one-member Hazelcast cluster. */
class LarderNearCacheMetricsTest
{
    private static HazelcastInstance member;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void startMember()
    {
        final Config config = new Config();
        config.setClusterName("metrics-" + UUID.randomUUID());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.partition.count", "7");
        config.getNetworkConfig().setPort(5891).getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        member = Hazelcast.newHazelcastInstance(config);
    }

    @AfterAll
    static void stopMember()
    {
        member.shutdown();
    }

    private double counter(final String name, final String... tags)
    {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void aNearCacheCountsItsGetsAndItsTrafficWithTheMap()
    {
        final String name = "metrics-" + UUID.randomUUID();
        member.<Long, String>getMap(name).set(1L, "one");
        final LarderNearCache<Long, String> cache = LarderNearCache
            .builder(member, name, Codecs.longs(), Codecs.utf8()).capacity(1 << 20).segments(4).build();
        try (cache)
        {
            LarderNearCacheMetrics.monitor(registry, cache, "products", "region", "eu");
            cache.get(1L);
            cache.get(1L);
            cache.get(2L);

            assertEquals(1, counter("cache.gets", "cache", "products", "region", "eu", "result", "hit"));
            assertEquals(2, counter("cache.gets", "cache", "products", "result", "miss"));
            assertEquals(1, counter("cache.puts", "cache", "products"));
            assertEquals(1, registry.get("cache.size").tags("cache", "products").gauge().value());
            assertEquals(2, counter("cache.larder.near.map.reads", "cache", "products"));
            assertEquals(0, counter("cache.larder.near.coalesced.reads", "cache", "products"));
            assertEquals(0, counter("cache.larder.near.stale.publishes.prevented", "cache", "products"));
            assertEquals(0, counter("cache.larder.near.lost.event.clears", "cache", "products"));
            assertEquals(1 << 20,
                registry.get("cache.larder.bytes.capacity").tags("cache", "products").gauge().value());

            cache.put(1L, "uno");
            final long deadline = System.nanoTime() + 60_000_000_000L; // hang guard only
            while (counter("cache.larder.near.invalidations", "cache", "products") < 1 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(cache.stats().invalidationCount(), counter("cache.larder.near.invalidations", "cache",
                "products"));
            assertTrue(counter("cache.larder.near.invalidations", "cache", "products") >= 1);
        }
        assertTrue(Double.isNaN(counter("cache.larder.near.map.reads", "cache", "products")), "closed: NaN");
    }
}
