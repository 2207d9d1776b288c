package dev.larder.jcache;

import dev.larder.CacheEntry;
import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.RemovalCause;
import dev.larder.codec.Codec;
import dev.larder.jcache.internal.Dispatcher;
import dev.larder.jcache.internal.JCacheCodecs;
import dev.larder.jcache.internal.MBeans;
import dev.larder.jcache.internal.Management;
import dev.larder.jcache.internal.ProcessorEntry;
import dev.larder.jcache.internal.Statistics;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.event.EventType;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import org.agrona.DirectBuffer;

/**
 * A JCache {@link Cache} over a Larder off-heap cache.
 *
 * <h2>Layout</h2>
 * Keys and values live as bytes in a {@link dev.larder.Cache} (a typed view of an
 * {@link OffHeapCache}), encoded by codecs chosen from the configured types; so the cache is
 * store-by-value by construction and holds no heap object per entry. Every read decodes a fresh
 * copy.
 *
 * <h2>Concurrency</h2>
 * Each JCache operation on a key runs under one of {@value #LOCK_STRIPES} striped locks (picked by
 * the key's hash): it reads the current entry, calls the {@code CacheWriter}, the
 * {@code ExpiryPolicy} or the {@code EntryProcessor}, then changes the Larder cache. A writer or
 * processor that throws leaves the cache unchanged. Larder's own segment locks are taken inside
 * and never held while user code runs.
 *
 * <h2>Expiry</h2>
 * {@code ExpiryPolicy} durations become Larder's per-entry time to live (both have millisecond
 * precision; longer than {@link OffHeapCache#MAX_TTL} is capped to it); a zero duration expires the entry at once (a
 * creation is not stored, an update or access removes it and publishes {@code EXPIRED}); a null
 * update or access duration keeps the time to live the entry had. Entries whose time runs out are
 * dropped lazily by Larder, which tells this cache (expired events, eviction statistics).
 *
 * <h2>Events</h2>
 * Events are queued, under the key's lock, on every listener registration; synchronous listeners
 * run in the calling thread before the call returns, asynchronous ones on the provider's executor,
 * in order per registration. Entries Larder evicts for room are published as {@code REMOVED}
 * (JCache has no eviction event) and counted as evictions, as are expirations.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LarderCache<K, V> implements Cache<K, V>
{
    /** Lock stripes per cache. */
    static final int LOCK_STRIPES = 64;

    private static final long TTL_ETERNAL = Long.MAX_VALUE;
    private static final long TTL_KEEP = -1;
    private static final long TTL_EXPIRED = 0;
    private static final long MAX_TTL_MILLIS = OffHeapCache.MAX_TTL.toMillis();
    private static final java.time.Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    private static final System.Logger LOGGER = System.getLogger("dev.larder.jcache");
    /** Stands for a present value that was not read. */
    private static final Object PRESENT = new Object();

    private final String name;
    private final LarderCacheManager manager;
    private final LarderConfiguration<K, V> configuration;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final boolean taggedKeys;
    private final boolean taggedValues;
    private final dev.larder.Cache<K, V> store;
    private final ExpiryPolicy expiry;
    private final CacheLoader<K, V> loader;
    private final boolean readThrough;
    private final CacheWriter<K, V> writer;
    private final Executor executor;
    private final Dispatcher<K, V> dispatcher;
    private final Statistics statistics = new Statistics();
    private final Management management;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private volatile boolean closed;

    LarderCache(
        final String name,
        final LarderCacheManager manager,
        final LarderConfiguration<K, V> configuration,
        final OffHeapCacheBuilder builder,
        final Executor executor)
    {
        this.name = name;
        this.manager = manager;
        this.configuration = configuration;
        this.keyType = configuration.getKeyType();
        this.valueType = configuration.getValueType();
        final ClassLoader classLoader = manager.getClassLoader();
        this.keyCodec = JCacheCodecs.forType(keyType, classLoader);
        this.valueCodec = JCacheCodecs.forType(valueType, classLoader);
        this.taggedKeys = !isBuiltIn(keyType);
        this.taggedValues = !isBuiltIn(valueType);
        this.executor = executor;
        this.dispatcher = new Dispatcher<>(this, executor);
        this.management = new Management(this);
        for (int i = 0; i < locks.length; i++)
        {
            locks[i] = new ReentrantLock();
        }

        final Factory<ExpiryPolicy> expiryFactory = configuration.getExpiryPolicyFactory();
        this.expiry = expiryFactory == null ? new EternalExpiryPolicy() : expiryFactory.create();
        final Factory<CacheLoader<K, V>> loaderFactory = configuration.getCacheLoaderFactory();
        this.loader = loaderFactory == null ? null : loaderFactory.create();
        this.readThrough = configuration.isReadThrough() && loader != null;
        final Factory<CacheWriter<? super K, ? super V>> writerFactory = configuration.getCacheWriterFactory();
        @SuppressWarnings("unchecked") // a writer of supertypes writes these keys and values as well
        final CacheWriter<K, V> created = configuration.isWriteThrough() && writerFactory != null ?
            (CacheWriter<K, V>)(CacheWriter<?, ?>)writerFactory.create() : null;
        this.writer = created;
        for (final CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations())
        {
            dispatcher.register(listener);
        }
        this.store = builder.removalListener(this::onLarderRemoval).build(keyCodec, valueCodec);
    }

    private static boolean isBuiltIn(final Class<?> type)
    {
        return type == String.class || type == Long.class || type == Integer.class || type == byte[].class;
    }

    // ----------------------------------------------------------------------------------------------
    // Reads
    // ----------------------------------------------------------------------------------------------

    @Override
    public V get(final K key)
    {
        requireOpen();
        checkKey(key);
        final long start = statistics.start();
        final V value = locked(key, () -> getLocked(key, readThrough));
        statistics.recordGetTime(start);
        return value;
    }

    /** Under the key's lock: the value (access expiry applied), or the loaded one, or null. */
    private V getLocked(final K key, final boolean load)
    {
        final V value = store.get(key);
        if (value != null)
        {
            statistics.recordHits(1);
            accessed(key, value);
            return value;
        }
        statistics.recordMisses(1);
        if (!load)
        {
            return null;
        }
        final V loaded = load(key);
        if (loaded != null)
        {
            create(key, loaded);
        }
        return loaded;
    }

    @Override
    public Map<K, V> getAll(final Set<? extends K> keys)
    {
        requireOpen();
        checkKeys(keys);
        final long start = statistics.start();
        final Map<K, V> found = new LinkedHashMap<>();
        final List<K> missing = new ArrayList<>();
        try
        {
            for (final K key : keys)
            {
                final V value = lockedNoAwait(key, () -> getLocked(key, false));
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
                final Map<K, V> loaded = loadAll(missing);
                for (final Map.Entry<K, V> entry : loaded.entrySet())
                {
                    final K key = entry.getKey();
                    final V value = entry.getValue();
                    if (key != null && value != null)
                    {
                        lockedNoAwait(key, () -> {
                            if (!store.containsKey(key))
                            {
                                create(key, value);
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

    @Override
    public boolean containsKey(final K key)
    {
        requireOpen();
        checkKey(key);
        return store.containsKey(key);
    }

    @Override
    public void loadAll(
        final Set<? extends K> keys, final boolean replaceExistingValues, final CompletionListener completionListener)
    {
        requireOpen();
        checkKeys(keys);
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
            final Map<K, V> loaded = toLoad.isEmpty() ? Map.of() : loadAll(toLoad);
            try
            {
                for (final Map.Entry<K, V> entry : loaded.entrySet())
                {
                    final K key = entry.getKey();
                    final V value = entry.getValue();
                    if (key != null && value != null)
                    {
                        checkKey(key);
                        checkValue(value);
                        lockedNoAwait(key, () -> {
                            final Object existing = lookup(key, dispatcher.hasListeners());
                            if (existing == null)
                            {
                                create(key, value);
                            }
                            else if (replace)
                            {
                                update(key, value, valueOrNull(existing));
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

    // ----------------------------------------------------------------------------------------------
    // Writes
    // ----------------------------------------------------------------------------------------------

    @Override
    public void put(final K key, final V value)
    {
        requireOpen();
        checkKey(key);
        checkValue(value);
        final long start = statistics.start();
        final Boolean written = locked(key, () -> {
            final Object existing = lookup(key, dispatcher.hasListeners());
            write(key, value);
            return existing == null ? create(key, value) : update(key, value, valueOrNull(existing));
        });
        if (written)
        {
            statistics.recordPuts(1);
            statistics.recordPutTime(start);
        }
    }

    @Override
    public V getAndPut(final K key, final V value)
    {
        requireOpen();
        checkKey(key);
        checkValue(value);
        final long start = statistics.start();
        final boolean[] written = new boolean[1];
        final V old = locked(key, () -> {
            final V existing = store.get(key);
            write(key, value);
            written[0] = existing == null ? create(key, value) : update(key, value, existing);
            return existing;
        });
        if (old == null)
        {
            statistics.recordMisses(1);
        }
        else
        {
            statistics.recordHits(1);
        }
        statistics.recordGetTime(start);
        if (written[0])
        {
            statistics.recordPuts(1);
            statistics.recordPutTime(start);
        }
        return old;
    }

    @Override
    public void putAll(final Map<? extends K, ? extends V> map)
    {
        requireOpen();
        Objects.requireNonNull(map, "map must not be null");
        for (final Map.Entry<? extends K, ? extends V> entry : map.entrySet())
        {
            checkKey(entry.getKey());
            checkValue(entry.getValue());
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
                failure = writerFailure("writeAll", null, ex);
                failed = new java.util.HashSet<>();
                for (final Cache.Entry<? extends K, ? extends V> entry : entries)
                {
                    failed.add(entry.getKey());
                }
            }
        }
        final int puts = eachUnderStripe(map.entrySet(), Map.Entry::getKey, failed, entry -> {
            final K key = entry.getKey();
            final V value = entry.getValue();
            final Object existing = lookup(key, dispatcher.hasListeners());
            return existing == null ? create(key, value) : update(key, value, valueOrNull(existing));
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

    @Override
    public boolean putIfAbsent(final K key, final V value)
    {
        requireOpen();
        checkKey(key);
        checkValue(value);
        final long start = statistics.start();
        final boolean[] present = new boolean[1];
        final Boolean written = locked(key, () -> {
            if (store.containsKey(key))
            {
                present[0] = true;
                return false;
            }
            write(key, value);
            return create(key, value);
        });
        if (present[0])
        {
            statistics.recordHits(1);
        }
        else
        {
            statistics.recordMisses(1);
        }
        if (written)
        {
            statistics.recordPuts(1);
            statistics.recordPutTime(start);
        }
        return written;
    }

    @Override
    public boolean remove(final K key)
    {
        requireOpen();
        checkKey(key);
        final long start = statistics.start();
        final Boolean removed = locked(key, () -> removeLocked(key));
        if (removed)
        {
            statistics.recordRemovals(1);
            statistics.recordRemoveTime(start);
        }
        return removed;
    }

    /** Under the key's lock: deletes through the writer, then removes. */
    private boolean removeLocked(final K key)
    {
        final Object existing = lookup(key, dispatcher.hasListenersFor(EventType.REMOVED));
        delete(key);
        if (existing == null)
        {
            return false;
        }
        store.remove(key);
        dispatcher.removed(key, valueOrNull(existing));
        return true;
    }

    @Override
    public boolean remove(final K key, final V oldValue)
    {
        requireOpen();
        checkKey(key);
        checkValue(oldValue);
        final long start = statistics.start();
        final boolean[] found = new boolean[1];
        final Boolean removed = locked(key, () -> {
            final V current = store.get(key);
            if (current == null)
            {
                return false;
            }
            found[0] = true;
            if (!Objects.deepEquals(current, oldValue))
            {
                accessed(key, current);
                return false;
            }
            delete(key);
            store.remove(key);
            dispatcher.removed(key, current);
            return true;
        });
        if (found[0])
        {
            statistics.recordHits(1);
        }
        else
        {
            statistics.recordMisses(1);
        }
        statistics.recordGetTime(start);
        if (removed)
        {
            statistics.recordRemovals(1);
            statistics.recordRemoveTime(start);
        }
        return removed;
    }

    @Override
    public V getAndRemove(final K key)
    {
        requireOpen();
        checkKey(key);
        final long start = statistics.start();
        final V old = locked(key, () -> {
            final V current = store.get(key);
            delete(key);
            if (current != null)
            {
                store.remove(key);
                dispatcher.removed(key, current);
            }
            return current;
        });
        if (old == null)
        {
            statistics.recordMisses(1);
        }
        else
        {
            statistics.recordHits(1);
            statistics.recordRemovals(1);
            statistics.recordRemoveTime(start);
        }
        statistics.recordGetTime(start);
        return old;
    }

    @Override
    public boolean replace(final K key, final V oldValue, final V newValue)
    {
        requireOpen();
        checkKey(key);
        checkValue(oldValue);
        checkValue(newValue);
        final long start = statistics.start();
        final boolean[] found = new boolean[1];
        final Boolean replaced = locked(key, () -> {
            final V current = store.get(key);
            if (current == null)
            {
                return false;
            }
            found[0] = true;
            if (!Objects.deepEquals(current, oldValue))
            {
                accessed(key, current);
                return false;
            }
            write(key, newValue);
            update(key, newValue, current);
            return true;
        });
        if (found[0])
        {
            statistics.recordHits(1);
        }
        else
        {
            statistics.recordMisses(1);
        }
        statistics.recordGetTime(start);
        if (replaced)
        {
            statistics.recordPuts(1);
            statistics.recordPutTime(start);
        }
        return replaced;
    }

    @Override
    public boolean replace(final K key, final V value)
    {
        requireOpen();
        checkKey(key);
        checkValue(value);
        final long start = statistics.start();
        final Boolean replaced = locked(key, () -> {
            final Object existing = lookup(key, dispatcher.hasListeners());
            if (existing == null)
            {
                return false;
            }
            write(key, value);
            update(key, value, valueOrNull(existing));
            return true;
        });
        if (replaced)
        {
            statistics.recordHits(1);
            statistics.recordPuts(1);
            statistics.recordPutTime(start);
        }
        else
        {
            statistics.recordMisses(1);
        }
        statistics.recordGetTime(start);
        return replaced;
    }

    @Override
    public V getAndReplace(final K key, final V value)
    {
        requireOpen();
        checkKey(key);
        checkValue(value);
        final long start = statistics.start();
        final V old = locked(key, () -> {
            final V current = store.get(key);
            if (current != null)
            {
                write(key, value);
                update(key, value, current);
            }
            return current;
        });
        if (old == null)
        {
            statistics.recordMisses(1);
        }
        else
        {
            statistics.recordHits(1);
            statistics.recordPuts(1);
            statistics.recordPutTime(start);
        }
        statistics.recordGetTime(start);
        return old;
    }

    @Override
    public void removeAll(final Set<? extends K> keys)
    {
        requireOpen();
        checkKeys(keys);
        removeAll(new ArrayList<K>(keys));
    }

    @Override
    public void removeAll()
    {
        requireOpen();
        final List<K> keys = new ArrayList<>();
        for (final CacheEntry<K, V> entry : store.entries())
        {
            keys.add(entry.key());
        }
        removeAll(keys);
    }

    private void removeAll(final List<K> keys)
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
                failure = writerFailure("deleteAll", null, ex);
                failed = toDelete;
            }
        }
        final int removals = eachUnderStripe(keys, key -> key, failed, key -> {
            final Object existing = lookup(key, dispatcher.hasListenersFor(EventType.REMOVED));
            if (existing == null)
            {
                return false;
            }
            store.remove(key);
            dispatcher.removed(key, valueOrNull(existing));
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

    /** Removes every entry without telling listeners or the writer, as JCache's {@code clear} asks. */
    @Override
    public void clear()
    {
        requireOpen();
        store.clear();
    }

    // ----------------------------------------------------------------------------------------------
    // Entry processors
    // ----------------------------------------------------------------------------------------------

    @Override
    public <T> T invoke(final K key, final EntryProcessor<K, V, T> entryProcessor, final Object... arguments)
    {
        requireOpen();
        checkKey(key);
        Objects.requireNonNull(entryProcessor, "entryProcessor must not be null");
        final long start = statistics.start();
        return locked(key, () -> invokeLocked(key, entryProcessor, start, arguments));
    }

    private <T> T invokeLocked(
        final K key, final EntryProcessor<K, V, T> processor, final long start, final Object... arguments)
    {
        final V current = store.get(key);
        if (current == null)
        {
            statistics.recordMisses(1);
        }
        else
        {
            statistics.recordHits(1);
        }
        final ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, current, readThrough ? loader : null);
        final T result;
        try
        {
            result = processor.process(entry, arguments);
            if (entry.value() != null)
            {
                checkValue(entry.value());
            }
            applyOutcome(entry, current, start);
        }
        catch (final EntryProcessorException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new EntryProcessorException("the entry processor failed: key=" + key + ": " + ex, ex);
        }
        return result;
    }

    private void applyOutcome(final ProcessorEntry<K, V> entry, final V current, final long start)
    {
        final K key = entry.getKey();
        switch (entry.action())
        {
            case NONE:
                break;
            case READ:
                accessed(key, current);
                break;
            case LOADED:
                create(key, entry.value());
                break;
            case CREATED:
                write(key, entry.value());
                if (create(key, entry.value()))
                {
                    statistics.recordPuts(1);
                    statistics.recordPutTime(start);
                }
                break;
            case UPDATED:
                write(key, entry.value());
                update(key, entry.value(), current);
                statistics.recordPuts(1);
                statistics.recordPutTime(start);
                break;
            case DELETED:
                delete(key);
                if (current != null)
                {
                    store.remove(key);
                    dispatcher.removed(key, current);
                    statistics.recordRemovals(1);
                    statistics.recordRemoveTime(start);
                }
                break;
            default:
                throw new IllegalStateException("unknown action: " + entry.action());
        }
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(
        final Set<? extends K> keys, final EntryProcessor<K, V, T> entryProcessor, final Object... arguments)
    {
        requireOpen();
        checkKeys(keys);
        Objects.requireNonNull(entryProcessor, "entryProcessor must not be null");
        final Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (final K key : keys)
        {
            try
            {
                final T result = invoke(key, entryProcessor, arguments);
                if (result != null)
                {
                    results.put(key, () -> result);
                }
            }
            catch (final EntryProcessorException ex)
            {
                results.put(key, () -> {
                    throw ex;
                });
            }
            catch (final RuntimeException ex)
            {
                final EntryProcessorException wrapped = new EntryProcessorException(ex);
                results.put(key, () -> {
                    throw wrapped;
                });
            }
        }
        return results;
    }

    // ----------------------------------------------------------------------------------------------
    // Iteration
    // ----------------------------------------------------------------------------------------------

    @Override
    public Iterator<Cache.Entry<K, V>> iterator()
    {
        requireOpen();
        return new EntryIterator(store.entries().iterator());
    }

    /** Weakly consistent, like Larder's iteration; each entry returned counts as an access. */
    private final class EntryIterator implements Iterator<Cache.Entry<K, V>>
    {
        private final Iterator<CacheEntry<K, V>> entries;
        private K last;

        EntryIterator(final Iterator<CacheEntry<K, V>> entries)
        {
            this.entries = entries;
        }

        @Override
        public boolean hasNext()
        {
            requireOpen();
            return entries.hasNext();
        }

        @Override
        public Cache.Entry<K, V> next()
        {
            requireOpen();
            if (!entries.hasNext())
            {
                throw new NoSuchElementException();
            }
            final CacheEntry<K, V> entry = entries.next();
            final K key = entry.key();
            final V value = entry.value();
            final long start = statistics.start();
            locked(key, () -> {
                if (store.containsKey(key))
                {
                    accessed(key, value);
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
            requireOpen();
            if (last == null)
            {
                throw new IllegalStateException("remove() must follow next(), once");
            }
            final K key = last;
            last = null;
            LarderCache.this.remove(key);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Configuration, listeners, lifecycle
    // ----------------------------------------------------------------------------------------------

    @Override
    public <C extends Configuration<K, V>> C getConfiguration(final Class<C> clazz)
    {
        Objects.requireNonNull(clazz, "clazz must not be null");
        synchronized (configuration)
        {
            final LarderConfiguration<K, V> copy = new LarderConfiguration<>(configuration);
            if (clazz.isInstance(copy))
            {
                return clazz.cast(copy);
            }
        }
        throw new IllegalArgumentException("a Larder cache's configuration is a " +
            LarderConfiguration.class.getName() +
            ", not a " + clazz.getName());
    }

    /** @return this cache's own configuration (not a copy): for the manager's type checks. */
    LarderConfiguration<K, V> configuration()
    {
        return configuration;
    }

    @Override
    public String getName()
    {
        return name;
    }

    @Override
    public CacheManager getCacheManager()
    {
        return manager;
    }

    @Override
    public void registerCacheEntryListener(final CacheEntryListenerConfiguration<K, V> listenerConfiguration)
    {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration must not be null");
        synchronized (configuration)
        {
            configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
            try
            {
                dispatcher.register(listenerConfiguration);
            }
            catch (final RuntimeException ex)
            {
                configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
                throw ex;
            }
        }
    }

    @Override
    public void deregisterCacheEntryListener(final CacheEntryListenerConfiguration<K, V> listenerConfiguration)
    {
        requireOpen();
        Objects.requireNonNull(listenerConfiguration, "cacheEntryListenerConfiguration must not be null");
        synchronized (configuration)
        {
            configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
            dispatcher.deregister(listenerConfiguration);
        }
    }

    /**
     * Unwraps to this class, to Larder's typed {@link dev.larder.Cache} underneath, or to its
     * byte-level {@link OffHeapCache}. Changes made through the Larder caches bypass JCache: no
     * writer, no listener, no JCache statistics, no type check.
     */
    @Override
    public <T> T unwrap(final Class<T> clazz)
    {
        Objects.requireNonNull(clazz, "clazz must not be null");
        if (clazz.isInstance(this))
        {
            return clazz.cast(this);
        }
        if (clazz.isInstance(store))
        {
            return clazz.cast(store);
        }
        if (clazz.isInstance(store.bytes()))
        {
            return clazz.cast(store.bytes());
        }
        throw new IllegalArgumentException("a Larder cache unwraps to " + LarderCache.class.getName() + ", " +
            dev.larder.Cache.class.getName() + " or " + OffHeapCache.class.getName() + ", not to " + clazz.getName());
    }

    @Override
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Closes the cache: its MXBeans are unregistered, its loader, writer, expiry policy and listeners
     * closed when they are {@link AutoCloseable}, and its off-heap memory freed at once. Every later
     * call but {@code close}, {@code isClosed}, {@code getName}, {@code getCacheManager},
     * {@code getConfiguration} and {@code unwrap} throws {@link IllegalStateException}.
     */
    @Override
    public void close()
    {
        synchronized (configuration)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        manager.forget(this);
        MBeans.unregister(objectName(MBeans.Type.CacheStatistics));
        MBeans.unregister(objectName(MBeans.Type.CacheConfiguration));
        closeQuietly(expiry);
        closeQuietly(loader);
        closeQuietly(writer);
        dispatcher.close();
        store.close();
    }

    private static void closeQuietly(final Object resource)
    {
        if (resource instanceof AutoCloseable)
        {
            try
            {
                ((AutoCloseable)resource).close();
            }
            catch (final Exception ex)
            {
                LOGGER.log(System.Logger.Level.WARNING, "closing " + resource + " failed", ex);
            }
        }
    }

    void enableStatistics(final boolean enabled)
    {
        synchronized (configuration)
        {
            requireOpen();
            if (enabled)
            {
                MBeans.register(objectName(MBeans.Type.CacheStatistics), statistics);
            }
            else
            {
                MBeans.unregister(objectName(MBeans.Type.CacheStatistics));
            }
            statistics.setEnabled(enabled);
            configuration.setStatisticsEnabled(enabled);
        }
    }

    void enableManagement(final boolean enabled)
    {
        synchronized (configuration)
        {
            requireOpen();
            if (enabled)
            {
                MBeans.register(objectName(MBeans.Type.CacheConfiguration), management);
            }
            else
            {
                MBeans.unregister(objectName(MBeans.Type.CacheConfiguration));
            }
            configuration.setManagementEnabled(enabled);
        }
    }

    private javax.management.ObjectName objectName(final MBeans.Type type)
    {
        return MBeans.objectName(type, manager.getURI().toString(), name);
    }

    /** @return the JCache statistics of this cache (also its {@code CacheStatisticsMXBean}). */
    public javax.cache.management.CacheStatisticsMXBean statistics()
    {
        return statistics;
    }

    @Override
    public String toString()
    {
        return "LarderCache{name=" + name + ", keyType=" + keyType.getName() + ", valueType=" + valueType.getName() +
            ", " + store.bytes() + "}";
    }

    // ----------------------------------------------------------------------------------------------
    // Building blocks, called under the key's lock
    // ----------------------------------------------------------------------------------------------

    /** @return the value ({@code readValue}), {@link #PRESENT} (a value not read), or null when absent. */
    private Object lookup(final K key, final boolean readValue)
    {
        if (readValue)
        {
            return store.get(key);
        }
        return store.containsKey(key) ? PRESENT : null;
    }

    @SuppressWarnings("unchecked")
    private V valueOrNull(final Object existing)
    {
        return existing == PRESENT ? null : (V)existing;
    }

    /**
     * Stores a new entry with the creation expiry and publishes {@code CREATED}.
     *
     * @return false when the entry expired at once (zero duration) or was too large to store
     */
    private boolean create(final K key, final V value)
    {
        final long ttl = creationTtl();
        if (ttl == TTL_EXPIRED)
        {
            return false;
        }
        if (!storeValue(key, value, ttl))
        {
            return false;
        }
        dispatcher.created(key, value);
        return true;
    }

    /**
     * Replaces an existing entry's value with the update expiry (or the time it had left) and
     * publishes {@code UPDATED}; a zero duration removes it and publishes {@code EXPIRED} too.
     *
     * @param oldValue the old value, or null when not read (no listener wants it)
     * @return true when the update happened (even when it expired the entry at once)
     */
    private boolean update(final K key, final V value, final V oldValue)
    {
        long ttl = updateTtl();
        if (ttl == TTL_KEEP)
        {
            ttl = remainingTtl(key);
        }
        if (ttl == TTL_EXPIRED)
        {
            store.remove(key);
            dispatcher.updated(key, value, oldValue);
            dispatcher.expired(key, value);
            statistics.recordEvictions(1);
            return true;
        }
        if (!storeValue(key, value, ttl))
        {
            if (oldValue != null)
            {
                dispatcher.removed(key, oldValue);
            }
            return false;
        }
        dispatcher.updated(key, value, oldValue);
        return true;
    }

    /** Applies the access expiry to an entry just read. */
    private void accessed(final K key, final V value)
    {
        final long ttl = accessTtl();
        if (ttl == TTL_KEEP)
        {
            return;
        }
        if (ttl == TTL_EXPIRED)
        {
            store.remove(key);
            dispatcher.expired(key, value);
            statistics.recordEvictions(1);
            return;
        }
        store.touch(key, ttl == TTL_ETERNAL ? OffHeapCache.MAX_TTL : java.time.Duration.ofMillis(ttl));
    }

    /**
     * @return true when stored; false when Larder refused the entry as too large, in which case
     *     the key is left absent (never with its old value) and an eviction is counted
     */
    private boolean storeValue(final K key, final V value, final long ttl)
    {
        final boolean stored = ttl == TTL_ETERNAL ? store.put(key, value) :
            store.put(key, value, java.time.Duration.ofMillis(ttl));
        if (!stored)
        {
            store.remove(key);
            statistics.recordEvictions(1);
        }
        return stored;
    }

    private long remainingTtl(final K key)
    {
        final java.time.Duration left = store.ttl(key);
        if (left == null)
        {
            return 1; // ran out between the read and now
        }
        return left.equals(FOREVER) ? TTL_ETERNAL : Math.max(1, left.toMillis());
    }

    private long creationTtl()
    {
        try
        {
            final Duration duration = expiry.getExpiryForCreation();
            return duration == null ? TTL_ETERNAL : ttlOf(duration);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "the expiry policy failed; the entry gets no expiry", ex);
            return TTL_ETERNAL;
        }
    }

    private long updateTtl()
    {
        try
        {
            final Duration duration = expiry.getExpiryForUpdate();
            return duration == null ? TTL_KEEP : ttlOf(duration);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "the expiry policy failed; the entry keeps its expiry", ex);
            return TTL_KEEP;
        }
    }

    private long accessTtl()
    {
        try
        {
            final Duration duration = expiry.getExpiryForAccess();
            return duration == null ? TTL_KEEP : ttlOf(duration);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "the expiry policy failed; the entry keeps its expiry", ex);
            return TTL_KEEP;
        }
    }

    /** @return {@link #TTL_ETERNAL}, {@link #TTL_EXPIRED} (zero), or milliseconds from 1 to Larder's maximum. */
    static long ttlOf(final Duration duration)
    {
        if (duration.isEternal())
        {
            return TTL_ETERNAL;
        }
        if (duration.isZero())
        {
            return TTL_EXPIRED;
        }
        final long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
        return Math.min(MAX_TTL_MILLIS, Math.max(1, millis));
    }

    private V load(final K key)
    {
        final V value;
        try
        {
            value = loader.load(key);
        }
        catch (final CacheLoaderException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new CacheLoaderException("the cache loader failed: key=" + key + ": " + ex, ex);
        }
        if (value != null)
        {
            checkValue(value);
        }
        return value;
    }

    private Map<K, V> loadAll(final List<K> keys)
    {
        final Map<K, V> loaded;
        try
        {
            loaded = loader.loadAll(keys);
        }
        catch (final CacheLoaderException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new CacheLoaderException("the cache loader failed: keys=" + keys + ": " + ex, ex);
        }
        return loaded == null ? Map.of() : loaded;
    }

    private void write(final K key, final V value)
    {
        if (writer == null)
        {
            return;
        }
        try
        {
            writer.write(new LarderEntry<>(key, value));
        }
        catch (final RuntimeException ex)
        {
            throw writerFailure("write", key, ex);
        }
    }

    private void delete(final K key)
    {
        if (writer == null)
        {
            return;
        }
        try
        {
            writer.delete(key);
        }
        catch (final RuntimeException ex)
        {
            throw writerFailure("delete", key, ex);
        }
    }

    private static CacheWriterException writerFailure(final String call, final Object key, final RuntimeException ex)
    {
        if (ex instanceof CacheWriterException)
        {
            return (CacheWriterException)ex;
        }
        return new CacheWriterException("the cache writer's " + call + " failed" + (key == null ? "" : ": key=" + key) +
            "; the cache is unchanged: " + ex, ex);
    }

    // ----------------------------------------------------------------------------------------------
    // Locks, checks, Larder's removal listener
    // ----------------------------------------------------------------------------------------------

    private ReentrantLock lockFor(final Object key)
    {
        final int hash = key instanceof byte[] ? java.util.Arrays.hashCode((byte[])key) : key.hashCode();
        final int spread = hash ^ (hash >>> 16);
        return locks[spread & (LOCK_STRIPES - 1)];
    }

    /** Runs {@code operation} under the key's lock, then delivers to synchronous listeners. */
    private <R> R locked(final K key, final Supplier<R> operation)
    {
        final R result;
        try
        {
            result = lockedNoAwait(key, operation);
        }
        catch (final RuntimeException | Error ex)
        {
            dispatcher.awaitSynchronous(ex);
            throw ex;
        }
        dispatcher.awaitSynchronous();
        return result;
    }

    /**
     * The body of the bulk writes: runs {@code operation} on each item whose key the writer did not
     * fail, under that key's stripe, then waits for the synchronous listeners (with the writer's
     * failure, if any, so that it is reported after them).
     *
     * @return how many items {@code operation} changed
     */
    private <T> int eachUnderStripe(
        final Iterable<? extends T> items, final Function<? super T, ? extends K> keyOf, final Collection<?> failed,
        final Predicate<? super T> operation, final CacheWriterException failure)
    {
        int changed = 0;
        try
        {
            for (final T item : items)
            {
                final K key = keyOf.apply(item);
                if (!failed.contains(key) && lockedNoAwait(key, () -> operation.test(item)))
                {
                    changed++;
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            dispatcher.awaitSynchronous(ex);
            throw ex;
        }
        if (failure != null)
        {
            dispatcher.awaitSynchronous(failure);
        }
        else
        {
            dispatcher.awaitSynchronous();
        }
        return changed;
    }

    private <R> R lockedNoAwait(final K key, final Supplier<R> operation)
    {
        final ReentrantLock lock = lockFor(key);
        lock.lock();
        try
        {
            return operation.get();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("cache is closed: name=" + name);
        }
    }

    private void checkKey(final Object key)
    {
        if (key == null)
        {
            throw new NullPointerException("key must not be null: cache=" + name);
        }
        if (!keyType.isInstance(key))
        {
            throw new ClassCastException("key must be a " + keyType.getName() + ": key=" + key + " (" +
                key.getClass().getName() + "), cache=" + name);
        }
        if (taggedKeys)
        {
            checkStorable("key", key, keyCodec);
        }
    }

    private void checkKeys(final Set<? extends K> keys)
    {
        Objects.requireNonNull(keys, "keys must not be null");
        for (final K key : keys)
        {
            checkKey(key);
        }
    }

    private void checkValue(final Object value)
    {
        if (value == null)
        {
            throw new NullPointerException("value must not be null: cache=" + name);
        }
        if (!valueType.isInstance(value))
        {
            throw new ClassCastException("value must be a " + valueType.getName() + ": value=" + value + " (" +
                value.getClass().getName() + "), cache=" + name);
        }
        if (taggedValues)
        {
            checkStorable("value", value, valueCodec);
        }
    }

    /** Serializes now (the codec keeps the bytes for the put that follows), so a failure changes nothing. */
    @SuppressWarnings("unchecked")
    private void checkStorable(final String what, final Object object, final Codec<?> codec)
    {
        final String why = JCacheCodecs.whyNotStorable(object);
        if (why != null)
        {
            throw new CacheException(what + " cannot be stored: " + why + ", cache=" + name);
        }
        ((Codec<Object>)codec).encodedLength(object);
    }

    /** Larder tells of entries that left by expiry or eviction (the rest this class did itself). */
    private void onLarderRemoval(final DirectBuffer key, final DirectBuffer value, final RemovalCause cause)
    {
        if (cause == RemovalCause.EXPIRED)
        {
            statistics.recordEvictions(1);
            if (dispatcher.hasListenersFor(EventType.EXPIRED))
            {
                dispatcher.expired(keyCodec.decode(key, 0, key.capacity()), valueCodec.decode(value, 0,
                    value.capacity()));
            }
        }
        else if (cause == RemovalCause.EVICTED)
        {
            statistics.recordEvictions(1);
            if (dispatcher.hasListenersFor(EventType.REMOVED))
            {
                dispatcher.removed(keyCodec.decode(key, 0, key.capacity()), valueCodec.decode(value, 0,
                    value.capacity()));
            }
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

    static <K, V> LarderConfiguration<K, V> copyOf(final Configuration<K, V> configuration)
    {
        if (configuration instanceof CompleteConfiguration)
        {
            return new LarderConfiguration<>((CompleteConfiguration<K, V>)configuration);
        }
        final LarderConfiguration<K, V> copy = new LarderConfiguration<>();
        copy.setTypes(configuration.getKeyType(), configuration.getValueType());
        copy.setStoreByValue(configuration.isStoreByValue());
        return copy;
    }
}
