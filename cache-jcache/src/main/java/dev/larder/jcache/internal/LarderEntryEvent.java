package dev.larder.jcache.internal;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

/**
 * One JCache event. For {@code REMOVED} and {@code EXPIRED} the value is the value that left the
 * cache (as JCache 1.1 asks); for {@code UPDATED} the old value is shown only to registrations
 * that asked for it.
 */
public final class LarderEntryEvent<K, V> extends CacheEntryEvent<K, V>
{
    private static final long serialVersionUID = 1L;

    private final K key;
    private final transient V value;
    private final transient V oldValue;
    private final boolean oldValueAvailable;

    LarderEntryEvent(
        final Cache<K, V> source, final EventType type, final K key, final V value, final V oldValue,
        final boolean oldValueAvailable)
    {
        super(source, type);
        this.key = key;
        this.value = value;
        this.oldValue = oldValue;
        this.oldValueAvailable = oldValueAvailable && oldValue != null;
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
    public V getOldValue()
    {
        return oldValueAvailable ? oldValue : null;
    }

    @Override
    public boolean isOldValueAvailable()
    {
        return oldValueAvailable;
    }

    @Override
    public <T> T unwrap(final Class<T> clazz)
    {
        if (clazz.isInstance(this))
        {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("a Larder cache entry event cannot be unwrapped to " + clazz.getName());
    }

    @Override
    public String toString()
    {
        return "LarderEntryEvent{type=" + getEventType() + ", key=" + key + ", value=" + value +
            (oldValueAvailable ? ", oldValue=" + oldValue : "") + "}";
    }
}
