package dev.larder.jcache;

import dev.larder.CacheEntry;
import dev.larder.jcache.internal.Statistics;
import java.util.Iterator;
import java.util.NoSuchElementException;
import javax.cache.Cache;

/**
 * The iterator of a {@link LarderCache}: weakly consistent, like Larder's iteration; each entry
 * returned counts as an access (hit statistics, access expiry), and {@link #remove()} removes the
 * last entry returned through the cache, with its writer and events.
 *
 * <h2>Why a class of its own</h2>
 * It was an inner class of {@link LarderCache}; it needs the cache only to check that it is open
 * and to remove, and the building blocks of {@link StripedStore} to apply the access.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class CacheIterator<K, V> implements Iterator<Cache.Entry<K, V>>
{
    private final LarderCache<K, V> cache;
    private final StripedStore<K, V> striped;
    private final Statistics statistics;
    private final Iterator<CacheEntry<K, V>> entries;
    private K last;

    CacheIterator(final LarderCache<K, V> cache, final StripedStore<K, V> striped)
    {
        this.cache = cache;
        this.striped = striped;
        this.statistics = striped.statistics();
        this.entries = striped.store().entries().iterator();
    }

    @Override
    public boolean hasNext()
    {
        cache.requireOpen();
        return entries.hasNext();
    }

    @Override
    public Cache.Entry<K, V> next()
    {
        cache.requireOpen();
        if (!entries.hasNext())
        {
            throw new NoSuchElementException();
        }
        final CacheEntry<K, V> entry = entries.next();
        final K key = entry.key();
        final V value = entry.value();
        final long start = statistics.start();
        striped.locked(key, () -> {
            if (striped.store().containsKey(key))
            {
                striped.accessed(key, value);
            }
            return null;
        });
        statistics.recordHits(1);
        statistics.recordGetTime(start);
        last = key;
        return new LarderEntry<>(key, value);
    }

    @Override
    public void remove()
    {
        cache.requireOpen();
        if (last == null)
        {
            throw new IllegalStateException("remove() must follow next(), once");
        }
        final K key = last;
        last = null;
        cache.remove(key);
    }
}
