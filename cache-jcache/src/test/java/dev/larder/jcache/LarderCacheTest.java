package dev.larder.jcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.OffHeapCache;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.configuration.OptionalFeature;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Larder-specific behaviour of the JCache provider; the JCache rules themselves are the TCK's. */
class LarderCacheTest
{
    private final LarderCachingProvider provider = new LarderCachingProvider();
    private final CacheManager manager =
        provider.getCacheManager(URI.create("test:larder-cache"), getClass().getClassLoader());

    @AfterEach
    void close()
    {
        provider.close();
    }

    private Cache<Long, String> longsToStrings(final String name)
    {
        return manager.createCache(name, new MutableConfiguration<Long, String>().setTypes(Long.class, String.class));
    }

    @Test
    void theProviderIsFoundThroughTheServiceLoader()
    {
        final CachingProvider found = Caching.getCachingProvider();
        assertTrue(found instanceof LarderCachingProvider);
        assertFalse(found.isSupported(OptionalFeature.STORE_BY_REFERENCE));
    }

    @Test
    void unwrapsToLarderTypes()
    {
        final Cache<Long, String> cache = longsToStrings("unwrap");
        cache.put(1L, "one");
        @SuppressWarnings("unchecked")
        final dev.larder.Cache<Long, String> typed = cache.unwrap(dev.larder.Cache.class);
        assertEquals("one", typed.get(1L));
        final OffHeapCache bytes = cache.unwrap(OffHeapCache.class);
        assertSame(typed.bytes(), bytes);
        assertArrayEquals(new byte[] {'o', 'n', 'e'}, bytes.get(1L)); // Long keys encode as Larder's long keys
        assertSame(cache, cache.unwrap(LarderCache.class));
        assertSame(manager, manager.unwrap(LarderCacheManager.class));
        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> cache.unwrap(String.class));
        assertEquals("a Larder cache unwraps to dev.larder.jcache.LarderCache, dev.larder.Cache or " +
            "dev.larder.OffHeapCache, not to java.lang.String", thrown.getMessage());
    }

    @Test
    void storeByReferenceIsRefusedWithTheReason()
    {
        final UnsupportedOperationException thrown = assertThrows(UnsupportedOperationException.class,
            () -> manager.createCache("byReference", new MutableConfiguration<>().setStoreByValue(false)));
        assertEquals("store-by-reference is not supported: a Larder cache keeps keys and values as bytes off the " +
            "heap, so every read returns a copy; leave storeByValue true: cache=byReference", thrown.getMessage());
        assertNull(manager.getCache("byReference"));
    }

    @Test
    void badInputIsRefusedWithMessagesThatNameTheValue()
    {
        final Cache<Long, String> cache = longsToStrings("bad");
        assertEquals("key must not be null: cache=bad",
            assertThrows(NullPointerException.class, () -> cache.put(null, "x")).getMessage());
        assertEquals("value must not be null: cache=bad",
            assertThrows(NullPointerException.class, () -> cache.put(1L, null)).getMessage());
        @SuppressWarnings({"unchecked", "rawtypes"})
        final Cache<Object, Object> raw = (Cache)cache;
        assertEquals("key must be a java.lang.Long: key=one (java.lang.String), cache=bad",
            assertThrows(ClassCastException.class, () -> raw.put("one", "x")).getMessage());
        assertEquals("value must be a java.lang.String: value=7 (java.lang.Integer), cache=bad",
            assertThrows(ClassCastException.class, () -> raw.put(1L, 7)).getMessage());
        assertFalse(cache.iterator().hasNext());

        final Cache<Object, Object> objects = manager.createCache("objects", new MutableConfiguration<>());
        final CacheException notSerializable = assertThrows(CacheException.class,
            () -> objects.put("k", new Object()));
        assertEquals("value cannot be stored: a Larder cache stores keys and values as bytes, so they must be " +
            "Serializable (or String, Long, Integer, byte[]): class=java.lang.Object, cache=objects",
            notSerializable.getMessage());
        assertFalse(objects.containsKey("k"));

        assertEquals("the cache's value type is java.lang.String, not java.lang.Long: cache=bad",
            assertThrows(ClassCastException.class, () -> manager.getCache("bad", Long.class, Long.class)).getMessage());
    }

    @Test
    void closedCachesAndManagersSaySo()
    {
        final Cache<Long, String> cache = longsToStrings("closing");
        final OffHeapCache bytes = cache.unwrap(OffHeapCache.class);
        cache.close();
        assertTrue(bytes.isClosed(), "closing the cache frees its off-heap memory");
        assertEquals("cache is closed: name=closing",
            assertThrows(IllegalStateException.class, () -> cache.get(1L)).getMessage());
        assertNull(manager.getCache("closing"), "a closed cache leaves its manager");

        final Cache<Long, String> other = longsToStrings("other");
        final OffHeapCache otherBytes = other.unwrap(OffHeapCache.class);
        manager.close();
        assertTrue(other.isClosed());
        assertTrue(otherBytes.isClosed(), "closing the manager frees its caches' memory");
        assertEquals("cache manager is closed: uri=test:larder-cache",
            assertThrows(IllegalStateException.class, () -> manager.getCache("other")).getMessage());
    }

    @Test
    void destroyCacheFreesTheMemoryAndTheName()
    {
        final Cache<Long, String> cache = longsToStrings("destroyed");
        cache.put(1L, "one");
        final OffHeapCache bytes = cache.unwrap(OffHeapCache.class);
        manager.destroyCache("destroyed");
        assertTrue(bytes.isClosed());
        final Cache<Long, String> again = longsToStrings("destroyed");
        assertNull(again.get(1L));
    }

    @Test
    void aWriterFailureLeavesTheCacheUnchanged()
    {
        final Cache<Long, String> cache = manager.createCache("writeThrough", new MutableConfiguration<Long, String>()
            .setTypes(Long.class, String.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(FactoryBuilder.factoryOf(new RefusingWriter())));
        cache.unwrap(OffHeapCache.class).put(1L, "one".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final CacheWriterException thrown = assertThrows(CacheWriterException.class, () -> cache.put(1L, "uno"));
        assertEquals("the cache writer's write failed: key=1; the cache is unchanged: " +
            "java.lang.IllegalStateException: the database is down", thrown.getMessage());
        assertEquals("one", cache.get(1L));
        assertThrows(CacheWriterException.class, () -> cache.remove(1L));
        assertEquals("one", cache.get(1L));
    }

    /** A writer whose database is down. */
    public static final class RefusingWriter implements CacheWriter<Long, String>, java.io.Serializable
    {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(final Cache.Entry<? extends Long, ? extends String> entry)
        {
            throw new IllegalStateException("the database is down");
        }

        @Override
        public void writeAll(final Collection<Cache.Entry<? extends Long, ? extends String>> entries)
        {
            throw new IllegalStateException("the database is down");
        }

        @Override
        public void delete(final Object key)
        {
            throw new IllegalStateException("the database is down");
        }

        @Override
        public void deleteAll(final Collection<?> keys)
        {
            throw new IllegalStateException("the database is down");
        }
    }

    @Test
    void expiryDurationsBecomeLarderTimeToLive()
    {
        assertEquals(Long.MAX_VALUE, ExpiryTtls.ttlOf(Duration.ETERNAL));
        assertEquals(0, ExpiryTtls.ttlOf(Duration.ZERO));
        assertEquals(1, ExpiryTtls.ttlOf(new Duration(TimeUnit.MILLISECONDS, 1)));
        assertEquals(60_000, ExpiryTtls.ttlOf(Duration.ONE_MINUTE));
        assertEquals(OffHeapCache.MAX_TTL.toMillis(), ExpiryTtls.ttlOf(new Duration(TimeUnit.DAYS, 1_000_000)));

        final Cache<Long, String> cache = manager.createCache("expiring", new MutableConfiguration<Long, String>()
            .setTypes(Long.class, String.class)
            .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ONE_MINUTE)));
        cache.put(1L, "one");
        @SuppressWarnings("unchecked")
        final dev.larder.Cache<Long, String> typed = cache.unwrap(dev.larder.Cache.class);
        final java.time.Duration left = typed.ttl(1L);
        assertTrue(left.compareTo(java.time.Duration.ofSeconds(59)) > 0 &&
            left.compareTo(java.time.Duration.ofMinutes(1)) <= 0,
            "ttl=" + left);
    }

    @Test
    void anEntryTooLargeForLarderIsDroppedAndCountedNotLeftStale()
    {
        final Cache<Long, byte[]> cache = manager.createCache("small", new LarderConfiguration<Long, byte[]>()
            .setTypes(Long.class, byte[].class)
            .setCapacity(64 << 10)
            .setSegments(1)
            .setStatisticsEnabled(true));
        final OffHeapCache bytes = cache.unwrap(OffHeapCache.class);
        final List<Long> removed = new ArrayList<>();
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<Long, byte[]>(
            FactoryBuilder.factoryOf(new RemovedKeys(removed)), null, false, true));
        cache.put(1L, new byte[16]);
        cache.put(1L, new byte[bytes.maxEntrySize()]); // key + value exceed the limit
        assertFalse(cache.containsKey(1L), "the old value must not stay behind the write");
        assertEquals(List.of(1L), removed);
        assertEquals(1L, cache.unwrap(LarderCache.class).statistics().getCacheEvictions());
        assertEquals(1L, bytes.stats().rejectionCount());
    }

    /** Collects the keys of removed events. */
    public static final class RemovedKeys implements CacheEntryRemovedListener<Long, byte[]>,
        CacheEntryCreatedListener<Long, byte[]>, java.io.Serializable
    {
        private static final long serialVersionUID = 1L;
        private final transient List<Long> keys;

        RemovedKeys(final List<Long> keys)
        {
            this.keys = keys;
        }

        @Override
        public void onRemoved(final Iterable<CacheEntryEvent<? extends Long, ? extends byte[]>> events)
        {
            events.forEach(event -> keys.add(event.getKey()));
        }

        @Override
        public void onCreated(final Iterable<CacheEntryEvent<? extends Long, ? extends byte[]>> events)
        {
        }
    }

    @Test
    void objectKeysOfBuiltInTypesAreStoredCompactly()
    {
        final Cache<Object, Object> cache = manager.createCache("tagged", new MutableConfiguration<>());
        cache.put(42L, "forty-two");
        cache.put(42, "int");
        cache.put("42", java.util.List.of(4, 2));
        assertEquals("forty-two", cache.get(42L));
        assertEquals("int", cache.get(42));
        assertEquals(java.util.List.of(4, 2), cache.get("42"));
        final OffHeapCache bytes = cache.unwrap(OffHeapCache.class);
        final Map<Integer, Integer> keyLengths = new java.util.TreeMap<>();
        for (final dev.larder.CacheEntry<byte[], byte[]> entry : bytes.entries())
        {
            keyLengths.merge(entry.key().length, 1, Integer::sum);
        }
        assertEquals(Map.of(3, 1, 5, 1, 9, 1), keyLengths, "tag byte + 8, + 4, + 2 bytes");
    }

    @Test
    void aZeroCreationDurationStoresNothing()
    {
        final Cache<Long, String> cache = manager.createCache("zero", new MutableConfiguration<Long, String>()
            .setTypes(Long.class, String.class)
            .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ZERO)));
        cache.put(1L, "one");
        assertFalse(cache.containsKey(1L), "a zero creation duration stores nothing");
        assertEquals(0, cache.unwrap(OffHeapCache.class).size());
    }
}
