package dev.larder.jcache;

import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.jcache.internal.Settings;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Configuration;
import javax.cache.spi.CachingProvider;

/**
 * A JCache {@link CacheManager} of Larder caches.
 *
 * <h2>Larder settings</h2>
 * Each cache's off-heap capacity, segment count and expected entry size come, in this order, from
 * its {@link LarderConfiguration} (when {@code createCache} is given one), from the manager's
 * properties ({@code cache.<name>.capacity}, then {@code default.capacity}; likewise
 * {@code segments} and {@code expectedEntrySize}), then from the defaults: 16 MiB in 16 segments.
 * The properties are those given to {@code getCacheManager}, on top of a properties file when the
 * manager's URI names one ({@code classpath:larder.properties}, or a {@code file:} or {@code jar:}
 * URI ending in {@code .properties}). {@code cache.<name>.statistics=true} and
 * {@code cache.<name>.management=true} (or {@code default.*}) turn the MXBeans on without code. A
 * cache named in the properties is created on first {@link #getCache(String)} with JCache's
 * default configuration ({@code Object} keys and values), so a service can declare its caches in
 * the file alone.
 *
 * <h2>Closing</h2>
 * {@link #close()} closes every cache, which frees its off-heap memory at once; every later call
 * but {@code close}, {@code isClosed} and the getters of URI, class loader, properties and
 * provider throws {@link IllegalStateException}.
 */
public final class LarderCacheManager implements CacheManager
{
    private final LarderCachingProvider provider;
    private final URI uri;
    private final WeakReference<ClassLoader> classLoader;
    private final Properties properties;
    private final Settings settings;
    private final Executor executor;
    private final ConcurrentHashMap<String, LarderCache<?, ?>> caches = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile boolean closed;

    LarderCacheManager(
        final LarderCachingProvider provider, final URI uri, final ClassLoader classLoader, final Properties properties,
        final Executor executor)
    {
        this.provider = provider;
        this.uri = uri;
        this.classLoader = new WeakReference<>(classLoader);
        this.properties = properties;
        this.settings = new Settings(properties);
        this.executor = executor;
    }

    @Override
    public CachingProvider getCachingProvider()
    {
        return provider;
    }

    @Override
    public URI getURI()
    {
        return uri;
    }

    @Override
    public ClassLoader getClassLoader()
    {
        return classLoader.get();
    }

    @Override
    public Properties getProperties()
    {
        return properties;
    }

    /**
     * Creates a cache. A {@link LarderConfiguration} may set Larder's capacity, segments and
     * expected entry size; any other configuration gets them from the properties or the defaults.
     *
     * @throws UnsupportedOperationException when the configuration asks for store-by-reference
     * @throws IllegalArgumentException      when the Larder settings are invalid (a capacity too
     *                                       small for the segments, more than the JVM's direct
     *                                       memory, ...)
     * @throws CacheException                when a cache of that name exists
     */
    @Override
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(final String cacheName, final C configuration)
    {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        Objects.requireNonNull(configuration, "configuration must not be null: cache=" + cacheName);
        if (!configuration.isStoreByValue())
        {
            throw new UnsupportedOperationException("store-by-reference is not supported: a Larder cache keeps keys " +
                "and values as bytes off the heap, so every read returns a copy; leave storeByValue true: cache=" +
                cacheName);
        }
        synchronized (lock)
        {
            requireOpen();
            if (caches.containsKey(cacheName))
            {
                throw new CacheException("a cache of this name already exists: cache=" + cacheName);
            }
            return create(cacheName, LarderCache.copyOf(configuration));
        }
    }

    private <K, V> LarderCache<K, V> create(final String cacheName, final LarderConfiguration<K, V> configuration)
    {
        final long capacity = configuration.getCapacity() != LarderConfiguration.UNSET ? configuration.getCapacity() :
            settings.capacity(cacheName, LarderConfiguration.DEFAULT_CAPACITY);
        final int segments = configuration.getSegments() != LarderConfiguration.UNSET ? configuration.getSegments() :
            settings.segments(cacheName, LarderConfiguration.DEFAULT_SEGMENTS);
        final int entrySize = configuration.getExpectedEntrySize() != LarderConfiguration.UNSET ?
            configuration.getExpectedEntrySize() :
            settings.expectedEntrySize(cacheName, OffHeapCacheBuilder.DEFAULT_EXPECTED_ENTRY_SIZE);
        final OffHeapCacheBuilder builder = OffHeapCache.builder()
            .capacity(capacity)
            .segments(segments)
            .expectedEntrySize(entrySize);
        final boolean statistics = configuration.isStatisticsEnabled() || settings.statistics(cacheName);
        final boolean management = configuration.isManagementEnabled() || settings.management(cacheName);
        configuration.setStatisticsEnabled(false);
        configuration.setManagementEnabled(false);
        final LarderCache<K, V> cache = new LarderCache<>(cacheName, this, configuration, builder, executor);
        caches.put(cacheName, cache);
        if (statistics)
        {
            cache.enableStatistics(true);
        }
        if (management)
        {
            cache.enableManagement(true);
        }
        return cache;
    }

    /**
     * @throws ClassCastException when the cache was configured with other key or value types
     */
    @Override
    public <K, V> Cache<K, V> getCache(final String cacheName, final Class<K> keyType, final Class<V> valueType)
    {
        requireOpen();
        Objects.requireNonNull(keyType, "keyType must not be null");
        Objects.requireNonNull(valueType, "valueType must not be null");
        final LarderCache<K, V> cache = find(cacheName);
        if (cache == null)
        {
            return null;
        }
        final LarderConfiguration<K, V> configuration = cache.configuration();
        if (configuration.getKeyType() != keyType)
        {
            throw new ClassCastException("the cache's key type is " + configuration.getKeyType().getName() +
                ", not " + keyType.getName() + ": cache=" + cacheName);
        }
        if (configuration.getValueType() != valueType)
        {
            throw new ClassCastException("the cache's value type is " + configuration.getValueType().getName() +
                ", not " + valueType.getName() + ": cache=" + cacheName);
        }
        return cache;
    }

    @Override
    public <K, V> Cache<K, V> getCache(final String cacheName)
    {
        requireOpen();
        return find(cacheName);
    }

    @SuppressWarnings("unchecked")
    private <K, V> LarderCache<K, V> find(final String cacheName)
    {
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        final LarderCache<?, ?> cache = caches.get(cacheName);
        if (cache != null || !settings.declares(cacheName))
        {
            return (LarderCache<K, V>)cache;
        }
        synchronized (lock)
        {
            requireOpen();
            final LarderCache<?, ?> raced = caches.get(cacheName);
            return (LarderCache<K, V>)(raced != null ? raced : create(cacheName, new LarderConfiguration<>()));
        }
    }

    @Override
    public Iterable<String> getCacheNames()
    {
        requireOpen();
        return List.copyOf(caches.keySet());
    }

    @Override
    public void destroyCache(final String cacheName)
    {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        final LarderCache<?, ?> cache = caches.remove(cacheName);
        if (cache != null)
        {
            cache.close();
        }
    }

    @Override
    public void enableManagement(final String cacheName, final boolean enabled)
    {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        final LarderCache<?, ?> cache = caches.get(cacheName);
        if (cache != null)
        {
            cache.enableManagement(enabled);
        }
    }

    @Override
    public void enableStatistics(final String cacheName, final boolean enabled)
    {
        requireOpen();
        Objects.requireNonNull(cacheName, "cacheName must not be null");
        final LarderCache<?, ?> cache = caches.get(cacheName);
        if (cache != null)
        {
            cache.enableStatistics(enabled);
        }
    }

    /** Closes every cache (freeing its off-heap memory) and this manager; idempotent. */
    @Override
    public void close()
    {
        final Collection<LarderCache<?, ?>> closing;
        synchronized (lock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            closing = List.copyOf(caches.values());
        }
        for (final LarderCache<?, ?> cache : closing)
        {
            cache.close();
        }
        caches.clear();
        provider.forget(this);
    }

    @Override
    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public <T> T unwrap(final Class<T> clazz)
    {
        Objects.requireNonNull(clazz, "clazz must not be null");
        if (clazz.isInstance(this))
        {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a Larder cache manager unwraps to " + LarderCacheManager.class.getName() +
            ", not to " + clazz.getName());
    }

    /** Called by a closing cache. */
    void forget(final LarderCache<?, ?> cache)
    {
        caches.remove(cache.getName(), cache);
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("cache manager is closed: uri=" + uri);
        }
    }

    @Override
    public String toString()
    {
        return "LarderCacheManager{uri=" + uri + ", caches=" + caches.keySet() + (closed ? ", closed" : "") + "}";
    }
}
