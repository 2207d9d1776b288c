package dev.larder.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.cache.ICache;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.cache.CacheManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * The same service code as {@link LarderSpringApplicationTest} ({@link ProductCatalog}'s
 * {@code @Cacheable}, the controller, the slow lookup), on Hazelcast's own JCache provider, chosen by
 * configuration alone: the {@code hazelcast} profile ({@code application-hazelcast.properties} names
 * {@code com.hazelcast.cache.HazelcastCachingProvider} and {@code hazelcast-products-client.yaml}).
 * The cluster is one real member started here, as a service's cluster would run elsewhere.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "larder.example.lookup-delay=50ms"})
@ActiveProfiles("hazelcast")
@DirtiesContext
class HazelcastSpringApplicationTest extends ProductServiceHttp
{
    private static HazelcastInstance member;

    @Autowired
    private CacheManager cacheManager;

    @BeforeAll
    static void startCluster()
    {
        final Config config = new Config().setClusterName("larder-example");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.partition.count", "7");
        config.getNetworkConfig().setPort(5965).setPortAutoIncrement(false)
            .getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        member = Hazelcast.newHazelcastInstance(config);
    }

    @AfterAll
    static void stopCluster()
    {
        HazelcastClient.shutdownAll();
        member.shutdown();
    }

    @Test
    void secondCallIsAHazelcastCacheHit() throws Exception
    {
        final javax.cache.Cache<?, ?> jcache =
            (javax.cache.Cache<?, ?>)cacheManager.getCache("products").getNativeCache();
        final ICache<?, ?> hazelcast = jcache.unwrap(ICache.class);

        secondCallIsACacheHit(42);

        assertEquals(1, hazelcast.size(), "the product is in Hazelcast's cache");
        final Product cached = cacheManager.getCache("products").get(42L, Product.class);
        assertEquals(42, cached.id());
    }
}
