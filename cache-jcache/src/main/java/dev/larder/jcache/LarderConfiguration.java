package dev.larder.jcache;

import dev.larder.OffHeapCacheBuilder;
import java.util.Objects;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;

/**
 * A JCache configuration with Larder's own settings, which JCache has no words for: the off-heap
 * capacity of the cache, its segment count and the typical entry size.
 *
 * <pre>{@code
 * LarderConfiguration<Long, String> config = new LarderConfiguration<Long, String>()
 *     .setCapacity(256L << 20)          // 256 MiB off-heap
 *     .setSegments(64)
 *     .setTypes(Long.class, String.class)
 *     .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.TEN_MINUTES));
 * Cache<Long, String> cache = cacheManager.createCache("names", config);
 * }</pre>
 *
 * <table>
 *   <caption>Larder settings</caption>
 *   <tr><th>setting</th><th>meaning</th><th>when not set</th></tr>
 *   <tr><td>{@link #setCapacity(long)}</td><td>off-heap bytes of the cache: entries, headers and
 *       index</td><td>{@code cache.<name>.capacity}, then {@code default.capacity} of the cache
 *       manager's properties, then {@link #DEFAULT_CAPACITY} (16 MiB)</td></tr>
 *   <tr><td>{@link #setSegments(int)}</td><td>lock stripes, a power of two</td>
 *       <td>{@code cache.<name>.segments}, {@code default.segments}, then {@link #DEFAULT_SEGMENTS}</td></tr>
 *   <tr><td>{@link #setExpectedEntrySize(int)}</td><td>typical encoded key + value bytes; sizes
 *       the index</td><td>{@code cache.<name>.expectedEntrySize}, {@code default.expectedEntrySize},
 *       then {@link OffHeapCacheBuilder#DEFAULT_EXPECTED_ENTRY_SIZE}</td></tr>
 * </table>
 *
 * Everything else is JCache's {@link javax.cache.configuration.MutableConfiguration}; its setters
 * are overridden only to return this type. Store-by-reference is not supported: a cache holds
 * bytes, so {@code setStoreByValue(false)} makes {@code createCache} throw
 * {@link UnsupportedOperationException}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public class LarderConfiguration<K, V> extends javax.cache.configuration.MutableConfiguration<K, V>
{
    private static final long serialVersionUID = 1L;

    /** Off-heap bytes of a cache whose capacity is set nowhere: 16 MiB. */
    public static final long DEFAULT_CAPACITY = 16L << 20;

    /** Segments of a cache whose segment count is set nowhere. */
    public static final int DEFAULT_SEGMENTS = 16;

    /** What the getters return for a setting left to the properties and defaults. */
    public static final int UNSET = 0;

    private long capacity = UNSET;
    private int segments = UNSET;
    private int expectedEntrySize = UNSET;

    /** A configuration with JCache's defaults (Object keys and values, store-by-value, eternal). */
    public LarderConfiguration()
    {
    }

    /**
     * Copies a configuration: every JCache setting, and the Larder settings when it is a
     * {@code LarderConfiguration}.
     *
     * @param configuration the configuration to copy
     */
    public LarderConfiguration(final CompleteConfiguration<K, V> configuration)
    {
        super(configuration);
        if (configuration instanceof LarderConfiguration)
        {
            final LarderConfiguration<K, V> larder = (LarderConfiguration<K, V>)configuration;
            this.capacity = larder.capacity;
            this.segments = larder.segments;
            this.expectedEntrySize = larder.expectedEntrySize;
        }
    }

    /** @return the off-heap capacity in bytes, or {@link #UNSET}. */
    public long getCapacity()
    {
        return capacity;
    }

    /**
     * @param bytes off-heap bytes of the cache (entries, headers and index); positive
     * @return this configuration
     */
    public LarderConfiguration<K, V> setCapacity(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("capacity must be positive: capacity=" + bytes);
        }
        this.capacity = bytes;
        return this;
    }

    /** @return the segment count, or {@link #UNSET}. */
    public int getSegments()
    {
        return segments;
    }

    /**
     * @param count lock stripes: a power of two from 1 to {@link OffHeapCacheBuilder#MAX_SEGMENTS}
     * @return this configuration
     */
    public LarderConfiguration<K, V> setSegments(final int count)
    {
        if (count <= 0 || Integer.bitCount(count) != 1)
        {
            throw new IllegalArgumentException("segments must be a power of two: segments=" + count);
        }
        if (count > OffHeapCacheBuilder.MAX_SEGMENTS)
        {
            throw new IllegalArgumentException(
                "segments must be at most " + OffHeapCacheBuilder.MAX_SEGMENTS + ": segments=" + count);
        }
        this.segments = count;
        return this;
    }

    /** @return the expected encoded key + value size, or {@link #UNSET}. */
    public int getExpectedEntrySize()
    {
        return expectedEntrySize;
    }

    /**
     * @param bytes typical encoded key + value bytes, used to size the index; positive
     * @return this configuration
     */
    public LarderConfiguration<K, V> setExpectedEntrySize(final int bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("expectedEntrySize must be positive: expectedEntrySize=" + bytes);
        }
        this.expectedEntrySize = bytes;
        return this;
    }

    // ----------------------------------------------------------------------------------------------
    // JCache setters, returning this type
    // ----------------------------------------------------------------------------------------------

    @Override
    public LarderConfiguration<K, V> setTypes(final Class<K> keyType, final Class<V> valueType)
    {
        super.setTypes(keyType, valueType);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> addCacheEntryListenerConfiguration(
        final CacheEntryListenerConfiguration<K, V> configuration)
    {
        super.addCacheEntryListenerConfiguration(configuration);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> removeCacheEntryListenerConfiguration(
        final CacheEntryListenerConfiguration<K, V> configuration)
    {
        super.removeCacheEntryListenerConfiguration(configuration);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setCacheLoaderFactory(final Factory<? extends CacheLoader<K, V>> factory)
    {
        super.setCacheLoaderFactory(factory);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setCacheWriterFactory(
        final Factory<? extends CacheWriter<? super K, ? super V>> factory)
    {
        super.setCacheWriterFactory(factory);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setExpiryPolicyFactory(final Factory<? extends ExpiryPolicy> factory)
    {
        super.setExpiryPolicyFactory(factory);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setReadThrough(final boolean isReadThrough)
    {
        super.setReadThrough(isReadThrough);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setWriteThrough(final boolean isWriteThrough)
    {
        super.setWriteThrough(isWriteThrough);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setStoreByValue(final boolean isStoreByValue)
    {
        super.setStoreByValue(isStoreByValue);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setStatisticsEnabled(final boolean enabled)
    {
        super.setStatisticsEnabled(enabled);
        return this;
    }

    @Override
    public LarderConfiguration<K, V> setManagementEnabled(final boolean enabled)
    {
        super.setManagementEnabled(enabled);
        return this;
    }

    @Override
    public boolean equals(final Object object)
    {
        if (!(object instanceof LarderConfiguration) || !super.equals(object))
        {
            return false;
        }
        final LarderConfiguration<?, ?> other = (LarderConfiguration<?, ?>)object;
        return capacity == other.capacity && segments == other.segments && expectedEntrySize == other.expectedEntrySize;
    }

    @Override
    public int hashCode()
    {
        return 31 * super.hashCode() + Objects.hash(capacity, segments, expectedEntrySize);
    }

    @Override
    public String toString()
    {
        return "LarderConfiguration{keyType=" + keyType.getName() + ", valueType=" + valueType.getName() +
            ", capacity=" + capacity + ", segments=" + segments + ", expectedEntrySize=" + expectedEntrySize +
            ", readThrough=" + isReadThrough + ", writeThrough=" + isWriteThrough +
            ", statisticsEnabled=" + isStatisticsEnabled + ", managementEnabled=" + isManagementEnabled + "}";
    }
}
