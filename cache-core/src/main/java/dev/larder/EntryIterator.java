package dev.larder;

import dev.larder.internal.CallbackGuard;
import dev.larder.internal.Segment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Weakly consistent iteration over a cache's live entries, shared by the byte-level and the typed
 * caches: one segment at a time, the keys are copied under the segment's lock, then each entry is
 * read again (a peek) as the iterator reaches it. No lock is held between entries, so the caller's
 * loop body may use the cache. An entry present throughout is seen exactly once; one removed or
 * expired before its turn is skipped; one added after its segment's snapshot is not seen.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class EntryIterator<K, V> implements Iterator<CacheEntry<K, V>>
{
    /** Decodes a raw key or value. */
    @FunctionalInterface
    interface Decoder<T>
    {
        T decode(byte[] key, byte[] value);
    }

    private final OffHeapCache cache;
    private final Segment[] segments;
    private final Decoder<K> keys;
    private final Decoder<V> values;
    private final List<byte[]> batch = new ArrayList<>();
    private final long[] ttl = new long[1];
    private int segment;
    private int next;
    private CacheEntry<K, V> pending;

    EntryIterator(final OffHeapCache cache, final Decoder<K> keys, final Decoder<V> values)
    {
        this.cache = cache;
        this.segments = cache.segments();
        this.keys = keys;
        this.values = values;
    }

    @Override
    public boolean hasNext()
    {
        while (pending == null)
        {
            if (next == batch.size())
            {
                if (segment == segments.length)
                {
                    return false;
                }
                batch.clear();
                next = 0;
                segments[segment++].snapshotKeys(batch);
                continue;
            }
            final byte[] key = batch.get(next);
            batch.set(next++, null);
            final byte[] value = cache.peekEntry(key, ttl);
            if (value != null)
            {
                pending = decode(key, value);
            }
        }
        return true;
    }

    /** Decodes an entry as a callback: no lock is held, so a codec that closes the cache frees it here. */
    private CacheEntry<K, V> decode(final byte[] key, final byte[] value)
    {
        final CallbackGuard guard = cache.guard();
        try
        {
            final CallbackGuard.Scope scope = guard.enter(CallbackGuard.ITERATION);
            final CacheEntry<K, V> entry;
            try
            {
                entry = new CacheEntry<>(keys.decode(key, value), values.decode(key, value), ttl[0]);
            }
            finally
            {
                guard.exit(scope);
            }
            guard.afterCallback(scope);
            return entry;
        }
        finally
        {
            guard.endOperation();
        }
    }

    @Override
    public CacheEntry<K, V> next()
    {
        if (!hasNext())
        {
            throw new NoSuchElementException();
        }
        final CacheEntry<K, V> entry = pending;
        pending = null;
        return entry;
    }
}
