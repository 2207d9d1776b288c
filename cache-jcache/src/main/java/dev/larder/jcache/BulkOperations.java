package dev.larder.jcache;

import dev.larder.jcache.internal.Dispatcher;
import dev.larder.jcache.internal.Statistics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;

/**
 * The bulk operations of a {@link LarderCache}: {@code getAll}, {@code loadAll}, {@code putAll}
 * and {@code removeAll}. Each calls the cache loader or writer once for all its keys, outside any
 * lock, then applies the outcome key by key under each key's stripe lock, and delivers to
 * synchronous listeners once at the end.
 *
 * <h2>Why a class of its own</h2>
 * The bulk forms share the loader and writer plumbing that single-key operations do not need:
 * the batch call, the keys a failed {@code writeAll} or {@code deleteAll} leaves unchanged, and
 * {@code loadAll}'s run on the provider's executor with its completion listener. {@link LarderCache}
 * checks that it is open and delegates; the building blocks are in {@link StripedStore}.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class BulkOperations<K, V>
{
    private final StripedStore<K, V> striped;
    private final dev.larder.Cache<K, V> store;
    private final Dispatcher<K, V> dispatcher;
    private final Statistics statistics;
    private final CacheLoader<K, V> loader;
    private final boolean readThrough;
    private final CacheWriter<K, V> writer;
    private final Executor executor;

    BulkOperations(final StripedStore<K, V> striped, final Executor executor)
    {
        this.striped = striped;
        this.store = striped.store();
        this.dispatcher = striped.dispatcher();
        this.statistics = striped.statistics();
        this.loader = striped.loader();
        this.readThrough = striped.readThrough();
        this.writer = striped.writer();
        this.executor = executor;
    }

    /** {@link LarderCache#getAll}, once the cache is known to be open. */
    Map<K, V> getAll(final Set<? extends K> keys)
    {
        striped.checkKeys(keys);
        final long start = statistics.start();
        final Map<K, V> found = new LinkedHashMap<>();
        final List<K> missing = new ArrayList<>();
        try
        {
            for (final K key : keys)
            {
                final V value = striped.lockedNoAwait(key, () -> striped.getLocked(key, false));
                if (value != null)
                {
                    found.put(key, value);
                }
                else
                {
                    missing.add(key);
                }
            }
            if (readThrough && !missing.isEmpty())
            {
                final Map<K, V> loaded = striped.loadAll(missing);
                for (final Map.Entry<K, V> entry : loaded.entrySet())
                {
                    final K key = entry.getKey();
                    final V value = entry.getValue();
                    if (key != null && value != null)
                    {
                        striped.lockedNoAwait(key, () -> {
                            if (!store.containsKey(key))
                            {
                                striped.create(key, value);
                            }
                            return null;
                        });
                        found.put(key, value);
                    }
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            dispatcher.awaitSynchronous(ex);
            throw ex;
        }
        dispatcher.awaitSynchronous();
        statistics.recordGetTime(start);
        return found;
    }

    /** {@link LarderCache#loadAll}, once the cache is known to be open: loads on the executor. */
    void loadAll(
        final Set<? extends K> keys, final boolean replaceExistingValues, final CompletionListener completionListener)
    {
        striped.checkKeys(keys);
        final CompletionListener listener = completionListener == null ? NoCompletion.INSTANCE : completionListener;
        if (loader == null)
        {
            listener.onCompletion();
            return;
        }
        final List<K> requested = new ArrayList<>(keys);
        try
        {
            executor.execute(() -> loadAllNow(requested, replaceExistingValues, listener));
        }
        catch (final RuntimeException ex)
        {
            listener.onException(ex);
        }
    }

    private void loadAllNow(final List<K> keys, final boolean replace, final CompletionListener listener)
    {
        try
        {
            final List<K> toLoad = new ArrayList<>(keys.size());
            for (final K key : keys)
            {
                if (replace || !store.containsKey(key))
                {
                    toLoad.add(key);
                }
            }
            final Map<K, V> loaded = toLoad.isEmpty() ? Map.of() : striped.loadAll(toLoad);
            try
            {
                for (final Map.Entry<K, V> entry : loaded.entrySet())
                {
                    final K key = entry.getKey();
                    final V value = entry.getValue();
                    if (key != null && value != null)
                    {
                        striped.checkKey(key);
                        striped.checkValue(value);
                        striped.lockedNoAwait(key, () -> {
                            final Object existing = striped.lookup(key, dispatcher.hasListeners());
                            if (existing == null)
                            {
                                striped.create(key, value);
                            }
                            else if (replace)
                            {
                                striped.update(key, value, striped.valueOrNull(existing));
                            }
                            return null;
                        });
                    }
                }
            }
            catch (final RuntimeException | Error ex)
            {
                dispatcher.awaitSynchronous(ex);
                throw ex;
            }
            dispatcher.awaitSynchronous();
        }
        catch (final RuntimeException ex)
        {
            listener.onException(ex instanceof CacheLoaderException ? ex :
                new CacheLoaderException("loadAll failed: " + ex, ex));
            return;
        }
        listener.onCompletion();
    }

    /** {@link LarderCache#putAll}, once the cache is known to be open. */
    void putAll(final Map<? extends K, ? extends V> map)
    {
        Objects.requireNonNull(map, "map must not be null");
        for (final Map.Entry<? extends K, ? extends V> entry : map.entrySet())
        {
            striped.checkKey(entry.getKey());
            striped.checkValue(entry.getValue());
        }
        final long start = statistics.start();
        CacheWriterException failure = null;
        Set<K> failed = Set.of();
        if (writer != null && !map.isEmpty())
        {
            final List<Cache.Entry<? extends K, ? extends V>> entries = new ArrayList<>(map.size());
            for (final Map.Entry<? extends K, ? extends V> entry : map.entrySet())
            {
                entries.add(new LarderEntry<>(entry.getKey(), entry.getValue()));
            }
            try
            {
                writer.writeAll(entries);
            }
            catch (final RuntimeException ex)
            {
                failure = StripedStore.writerFailure("writeAll", null, ex);
                failed = new java.util.HashSet<>();
                for (final Cache.Entry<? extends K, ? extends V> entry : entries)
                {
                    failed.add(entry.getKey());
                }
            }
        }
        final int puts = striped.eachUnderStripe(map.entrySet(), Map.Entry::getKey, failed, entry -> {
            final K key = entry.getKey();
            final V value = entry.getValue();
            final Object existing = striped.lookup(key, dispatcher.hasListeners());
            return existing == null ? striped.create(key, value) :
                striped.update(key, value, striped.valueOrNull(existing));
        }, failure);
        if (puts > 0)
        {
            statistics.recordPuts(puts);
            statistics.recordPutTime(start);
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /** {@link LarderCache#removeAll(Set)} and {@link LarderCache#removeAll()}, of these keys. */
    void removeAll(final List<K> keys)
    {
        final long start = statistics.start();
        CacheWriterException failure = null;
        Collection<?> failed = List.of();
        if (writer != null && !keys.isEmpty())
        {
            final Set<K> toDelete = new LinkedHashSet<>(keys);
            try
            {
                writer.deleteAll(toDelete);
            }
            catch (final RuntimeException ex)
            {
                failure = StripedStore.writerFailure("deleteAll", null, ex);
                failed = toDelete;
            }
        }
        final int removals = striped.eachUnderStripe(keys, key -> key, failed, key -> {
            final Object existing = striped.lookup(key, dispatcher.hasListenersFor(EventType.REMOVED));
            if (existing == null)
            {
                return false;
            }
            store.remove(key);
            dispatcher.removed(key, striped.valueOrNull(existing));
            return true;
        }, failure);
        if (removals > 0)
        {
            statistics.recordRemovals(removals);
            statistics.recordRemoveTime(start);
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /** Used when {@code loadAll} is given no listener. */
    private enum NoCompletion implements CompletionListener
    {
        INSTANCE;

        @Override
        public void onCompletion()
        {
        }

        @Override
        public void onException(final Exception e)
        {
        }
    }
}
