package dev.larder.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.OffHeapCache;
import dev.larder.jcache.internal.Settings;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Larder's own settings from a cache manager's properties, and from a properties file named by its URI. */
class LarderPropertiesTest
{
    private final LarderCachingProvider provider = new LarderCachingProvider();

    @AfterEach
    void closeAll()
    {
        provider.close();
    }

    private CacheManager manager(final String uri, final Properties properties)
    {
        return provider.getCacheManager(URI.create(uri), getClass().getClassLoader(), properties);
    }

    private static OffHeapCache bytesOf(final Cache<?, ?> cache)
    {
        return cache.unwrap(OffHeapCache.class);
    }

    @Test
    void defaultsAreSixteenMebibytesInSixteenSegments()
    {
        final Cache<Object, Object> cache = manager("test:defaults", null).createCache("c",
            new MutableConfiguration<>());
        assertEquals(16L << 20, bytesOf(cache).capacity());
        assertEquals(16, bytesOf(cache).segmentCount());
        assertEquals(LarderConfiguration.DEFAULT_CAPACITY, bytesOf(cache).capacity());
    }

    @Test
    void aClasspathUriNamesThePropertiesFile()
    {
        final CacheManager manager = manager("classpath:larder-test.properties", null);
        final Cache<Object, Object> users = manager.createCache("users", new MutableConfiguration<>());
        assertEquals(32L << 20, bytesOf(users).capacity());
        assertEquals(4, bytesOf(users).segmentCount());
        final Cache<Object, Object> other = manager.createCache("other", new MutableConfiguration<>());
        assertEquals(8L << 20, bytesOf(other).capacity());
        assertEquals(LarderConfiguration.DEFAULT_SEGMENTS, bytesOf(other).segmentCount());
        assertEquals("8MiB", manager.getProperties().getProperty("default.capacity"));
    }

    @Test
    void aFileUriNamesThePropertiesFile(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("larder.properties");
        Files.writeString(file, "cache.orders.capacity=4MiB\ncache.orders.segments=2\n");
        final CacheManager manager = provider.getCacheManager(file.toUri(), getClass().getClassLoader());
        final Cache<Object, Object> orders = manager.createCache("orders", new MutableConfiguration<>());
        assertEquals(4L << 20, bytesOf(orders).capacity());
        assertEquals(2, bytesOf(orders).segmentCount());
    }

    @Test
    void givenPropertiesOverrideTheFile()
    {
        final Properties properties = new Properties();
        properties.setProperty("cache.users.capacity", "2MiB");
        final CacheManager manager = manager("classpath:larder-test.properties", properties);
        final Cache<Object, Object> users = manager.createCache("users", new MutableConfiguration<>());
        assertEquals(2L << 20, bytesOf(users).capacity());
        assertEquals(4, bytesOf(users).segmentCount());
    }

    @Test
    void aLarderConfigurationOverridesTheProperties()
    {
        final CacheManager manager = manager("classpath:larder-test.properties", null);
        final Cache<Long, String> users = manager.createCache("users", new LarderConfiguration<Long, String>()
            .setCapacity(1L << 20)
            .setSegments(8)
            .setTypes(Long.class, String.class));
        assertEquals(1L << 20, bytesOf(users).capacity());
        assertEquals(8, bytesOf(users).segmentCount());
        @SuppressWarnings("unchecked")
        final LarderConfiguration<Long, String> configuration = users.getConfiguration(LarderConfiguration.class);
        assertEquals(1L << 20, configuration.getCapacity());
        assertEquals(8, configuration.getSegments());
        assertEquals(LarderConfiguration.UNSET, configuration.getExpectedEntrySize());
    }

    @Test
    void aCacheDeclaredInThePropertiesIsCreatedOnFirstGetCache() throws Exception
    {
        final CacheManager manager = manager("classpath:larder-test.properties", null);
        assertNull(manager.getCache("undeclared"));
        final Cache<Object, Object> declared = manager.getCache("declared");
        assertNotNull(declared);
        assertEquals(8L << 20, bytesOf(declared).capacity());
        declared.put("k", 1L);
        assertEquals(1L, declared.get("k"));
        final ObjectName statistics = new ObjectName("javax.cache:type=CacheStatistics,CacheManager=classpath." +
            "larder-test.properties,Cache=declared");
        assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(statistics));
        assertEquals(1L, ManagementFactory.getPlatformMBeanServer().getAttribute(statistics, "CacheHits"));
        manager.close();
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(statistics));
    }

    @Test
    void anUnknownSettingIsRefused()
    {
        final Properties properties = new Properties();
        properties.setProperty("cache.users.capacty", "64MiB");
        final CacheException thrown = assertThrows(CacheException.class, () -> manager("test:typo", properties));
        assertEquals("unknown Larder setting (known: capacity, segments, expectedEntrySize, statistics, management): " +
            "key=cache.users.capacty", thrown.getMessage());
    }

    @Test
    void aMalformedValueIsRefused()
    {
        final Properties properties = new Properties();
        properties.setProperty("default.capacity", "lots");
        final CacheException thrown = assertThrows(CacheException.class, () -> manager("test:malformed", properties));
        assertEquals("default.capacity must be a size such as 64MiB: default.capacity=lots", thrown.getMessage());

        properties.setProperty("default.capacity", "1MiB");
        properties.setProperty("cache.a.statistics", "yes");
        final CacheException bool = assertThrows(CacheException.class, () -> manager("test:malformed2", properties));
        assertEquals("cache.a.statistics must be true or false: cache.a.statistics=yes", bool.getMessage());
    }

    @Test
    void aMissingClasspathFileIsRefused()
    {
        final CacheException thrown = assertThrows(CacheException.class,
            () -> manager("classpath:no-such.properties", null));
        assertEquals("the properties file named by the cache manager URI is not on the class path: " +
            "uri=classpath:no-such.properties", thrown.getMessage());
    }

    @Test
    void segmentsThatDoNotFitTheCapacityAreRefusedByCreateCache()
    {
        final Properties properties = new Properties();
        properties.setProperty("cache.tiny.capacity", "4KiB");
        final CacheManager manager = manager("test:tiny", properties);
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> manager.createCache("tiny", new MutableConfiguration<>()));
        assertEquals("capacity must be at least 4096 bytes per segment: capacity=4096, segments=16, minimum=65536",
            thrown.getMessage());
        assertFalse(manager.getCacheNames().iterator().hasNext(), "nothing is registered");
    }

    @ParameterizedTest
    @CsvSource({
        "4096, 4096",
        "64KiB, 65536",
        "64kb, 65536",
        "64k, 65536",
        "64MiB, 67108864",
        "64 MB, 67108864",
        "2GiB, 2147483648",
        "1t, 1099511627776"})
    void sizesAreBinary(final String text, final long bytes)
    {
        assertEquals(bytes, Settings.parseSize("default.capacity", text));
    }
}
