package dev.larder.jcache.internal;

import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.processor.MutableEntry;

/**
 * The entry an {@code EntryProcessor} works on: it records what the processor did, and the cache
 * applies the outcome once the processor returns (nothing changes if it throws).
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V>
{
    /** What the processor did, as the cache applies it. */
    public enum Action
    {
        /** Nothing, or only {@code exists()}. */
        NONE,
        /** Read an existing value. */
        READ,
        /** Loaded an absent value through the cache loader. */
        LOADED,
        /** Set a value where there was none. */
        CREATED,
        /** Replaced an existing value. */
        UPDATED,
        /** Removed the entry. */
        DELETED
    }

    private final K key;
    private final boolean existed;
    private final CacheLoader<K, V> loader;
    private V value;
    private Action action = Action.NONE;

    /**
     * @param key    the key
     * @param value  the current value, or null when absent
     * @param loader loads an absent value on {@link #getValue()} (read-through), or null
     */
    public ProcessorEntry(final K key, final V value, final CacheLoader<K, V> loader)
    {
        this.key = key;
        this.value = value;
        this.existed = value != null;
        this.loader = loader;
    }

    @Override
    public K getKey()
    {
        return key;
    }

    @Override
    public boolean exists()
    {
        return value != null;
    }

    @Override
    public V getValue()
    {
        if (action == Action.NONE)
        {
            if (value != null)
            {
                action = Action.READ;
            }
            else if (loader != null)
            {
                final V loaded;
                try
                {
                    loaded = loader.load(key);
                }
                catch (final CacheLoaderException ex)
                {
                    throw ex;
                }
                catch (final RuntimeException ex)
                {
                    throw new CacheLoaderException("the cache loader failed: key=" + key + ": " + ex, ex);
                }
                if (loaded != null)
                {
                    value = loaded;
                    action = Action.LOADED;
                }
            }
        }
        return value;
    }

    @Override
    public void remove()
    {
        value = null;
        // removing what this processor created leaves nothing to do; any other removal goes to
        // the writer, even of an absent entry (a write-through delete is unconditional)
        action = action == Action.CREATED ? Action.NONE : Action.DELETED;
    }

    @Override
    public void setValue(final V newValue)
    {
        if (newValue == null)
        {
            throw new NullPointerException("an entry processor must not set a null value: key=" + key);
        }
        value = newValue;
        action = existed ? Action.UPDATED : Action.CREATED;
    }

    /** @return what the processor did, overall. */
    public Action action()
    {
        return action;
    }

    /** @return true when the entry existed before the processor ran. */
    public boolean existed()
    {
        return existed;
    }

    /** @return the value the processor left (null when removed or absent). */
    public V value()
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
        throw new IllegalArgumentException("a Larder mutable entry cannot be unwrapped to " + clazz.getName());
    }

    @Override
    public String toString()
    {
        return key + "=" + value;
    }
}
