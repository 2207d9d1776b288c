package dev.larder.jcache;

import javax.cache.Cache;

/**
 * A key and value as JCache hands them out: by iteration, to a {@code CacheWriter}. Both are
 * copies decoded from the off-heap bytes, so changing them changes nothing in the cache.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LarderEntry<K, V> implements Cache.Entry<K, V>
{
    private final K key;
    private final V value;

    /**
     * @param key   the key
     * @param value the value
     */
    public LarderEntry(final K key, final V value)
    {
        this.key = key;
        this.value = value;
    }

    @Override
    public K getKey()
    {
        return key;
    }

    @Override
    public V getValue()
    {
        return value;
    }

    @Override
    public <T> T unwrap(final Class<T> clazz)
    {
        if (clazz.isInstance(this))
        {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a Larder cache entry cannot be unwrapped to " + clazz.getName());
    }

    @Override
    public String toString()
    {
        return key + "=" + value;
    }
}
