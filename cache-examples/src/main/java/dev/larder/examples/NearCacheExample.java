package dev.larder.examples;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.larder.codec.Codecs;
import dev.larder.hazelcast.LarderNearCache;
import dev.larder.hazelcast.NearCacheStats;
import java.time.Duration;

/**
 * Larder as the off-heap near cache of a Hazelcast map: a one-member cluster in this JVM, a service
 * that reads through a client with a Larder near cache, and another writer whose update reaches the
 * near cache as an invalidation. (In production the member runs elsewhere and only the client part
 * is in the service.)
 */
public final class NearCacheExample
{
    private NearCacheExample()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Config memberConfig = new Config().setClusterName("larder-near-cache-example");
        memberConfig.setProperty("hazelcast.phone.home.enabled", "false");
        memberConfig.setProperty("hazelcast.logging.type", "none");
        memberConfig.getNetworkConfig().setPort(5975).getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        memberConfig.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        memberConfig.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        final HazelcastInstance member = Hazelcast.newHazelcastInstance(memberConfig);

        final ClientConfig clientConfig = new ClientConfig().setClusterName("larder-near-cache-example");
        clientConfig.setProperty("hazelcast.logging.type", "none");
        clientConfig.getNetworkConfig().addAddress("127.0.0.1:5975");
        final HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig);
        final IMap<Long, String> map = member.getMap("products");
        map.set(42L, "green tea");
        try (LarderNearCache<Long, String> products = LarderNearCache
            .builder(client, "products", Codecs.longs(), Codecs.utf8())
            .capacity(64L << 20)                // 64 MiB off-heap, index included
            .ttl(Duration.ofMinutes(5))         // the last-resort bound on staleness
            .build())
        {
            System.out.println("first get (from the map): " + products.get(42L));
            System.out.println("second get (off-heap, local): " + products.get(42L));

            // another writer updates the map; its event invalidates the near-cached value
            final long before = products.stats().invalidationCount();
            map.set(42L, "black tea");
            while (products.stats().invalidationCount() == before)
            {
                Thread.onSpinWait();
            }
            System.out.println("after another writer's update: " + products.get(42L));

            products.put(7L, "oolong");         // writes go to the map, then invalidate locally
            System.out.println("map holds key 7: " + map.get(7L));

            final NearCacheStats stats = products.stats();
            System.out.printf("near cache: %d hits, %d misses, %d map reads; %d bytes off-heap%n",
                stats.hitCount(), stats.missCount(), stats.mapReadCount(), stats.larder().usedBytes());
        }
        finally
        {
            client.shutdown();
            member.shutdown();
        }
    }
}
