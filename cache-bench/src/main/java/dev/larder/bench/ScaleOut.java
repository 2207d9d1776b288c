package dev.larder.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.larder.codec.Codecs;
import dev.larder.hazelcast.LarderNearCache;
import java.util.Locale;
import java.util.function.Function;

/**
 * The Hazelcast set-ups that {@link NearCacheBenchmark} and {@link NearCacheGc} compare: one member
 * (TCP/IP on 127.0.0.1, no multicast, no phone-home, logging off), and a client whose reads of map
 * {@link #MAP} go through one of the near caches.
 *
 * <table>
 *   <caption>The near caches ({@code -p nearCache=...}, or NearCacheGc's first argument)</caption>
 *   <tr><th>name</th><th>what</th></tr>
 *   <tr><td>{@code larder}</td><td>{@link LarderNearCache} on the client: off-heap, values copied out on each get</td></tr>
 *   <tr><td>{@code hazelcast-binary}</td><td>Hazelcast's near cache, {@code InMemoryFormat.BINARY}: the
 *       serialized value on the heap, deserialized on each get</td></tr>
 *   <tr><td>{@code hazelcast-object}</td><td>Hazelcast's near cache, {@code InMemoryFormat.OBJECT}: the
 *       value object on the heap, returned as is</td></tr>
 *   <tr><td>{@code none}</td><td>no near cache: every get is a client {@code IMap.get} to the member</td></tr>
 * </table>
 *
 * Hazelcast's near caches are unbounded here (entry count {@code Integer.MAX_VALUE}, no eviction),
 * invalidated on change, as Larder's is; its off-heap NATIVE format is Enterprise-only.
 */
final class ScaleOut
{
    static final String MAP = "scale-out";
    static final String CLUSTER = "larder-scale-out";
    static final int PORT = 5995;

    private ScaleOut()
    {
    }

    static Config memberConfig()
    {
        final Config config = new Config().setClusterName(CLUSTER);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "none");
        config.getNetworkConfig().setPort(PORT).setPortAutoIncrement(false)
            .getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getMapConfig(MAP).setBackupCount(0);
        return config;
    }

    static HazelcastInstance startMember()
    {
        return Hazelcast.newHazelcastInstance(memberConfig());
    }

    /** @return a client of the member, with Hazelcast's near cache on {@link #MAP} when asked for. */
    static HazelcastInstance startClient(final String nearCache)
    {
        final ClientConfig config = new ClientConfig().setClusterName(CLUSTER);
        config.setProperty("hazelcast.logging.type", "none");
        config.getNetworkConfig().addAddress("127.0.0.1:" + PORT);
        final InMemoryFormat format = switch (nearCache)
        {
            case "hazelcast-binary" -> InMemoryFormat.BINARY;
            case "hazelcast-object" -> InMemoryFormat.OBJECT;
            case "larder", "none" -> null;
            default -> throw new IllegalArgumentException(
                "nearCache must be larder, hazelcast-binary, hazelcast-object or none: nearCache=" + nearCache);
        };
        if (format != null)
        {
            config.addNearCacheConfig(new NearCacheConfig(MAP)
                .setInMemoryFormat(format)
                .setInvalidateOnChange(true)
                .setEvictionConfig(new EvictionConfig()
                    .setEvictionPolicy(EvictionPolicy.NONE)
                    .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
                    .setSize(Integer.MAX_VALUE)));
        }
        return HazelcastClient.newHazelcastClient(config);
    }

    /** @return a get through the chosen near cache ({@code larder} builds one of {@code capacity} bytes). */
    static Reader reader(final HazelcastInstance client, final String nearCache, final long capacity)
    {
        if ("larder".equals(nearCache))
        {
            final LarderNearCache<Long, byte[]> larder = LarderNearCache
                .builder(client, MAP, Codecs.longs(), Codecs.byteArray())
                .capacity(capacity)
                .expectedEntrySize(8 + 1 + 1024)
                .build();
            return new Reader(larder::get, larder);
        }
        final com.hazelcast.map.IMap<Long, byte[]> map = client.getMap(MAP);
        return new Reader(map::get, null);
    }

    /** A get, and Larder's near cache when it is Larder's (null otherwise), closed after. */
    record Reader(Function<Long, byte[]> get, LarderNearCache<Long, byte[]> larder) implements AutoCloseable
    {
        @Override
        public void close()
        {
            if (larder != null)
            {
                larder.close();
            }
        }
    }

    static String describe(final String nearCache, final int entries, final int valueSize)
    {
        return String.format(Locale.ROOT, "%s near cache, %d entries of %d bytes", nearCache, entries, valueSize);
    }
}
