package dev.larder.jcache;

import dev.larder.CacheEntry;
import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.jcache.internal.Dispatcher;
import dev.larder.jcache.internal.MBeans;
import dev.larder.jcache.internal.Management;
import dev.larder.jcache.internal.Statistics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.event.EventType;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;

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
 * <h2>Where the code is</h2>
 * This class holds the cache's identity, configuration and lifecycle, and the plain single-key
 * reads and writes. The building blocks every operation is made of (the striped locks, type
 * checks, expiry, events, loader and writer calls) are in {@link StripedStore}; the conditional
 * writes in {@link ConditionalWrites}; the bulk operations in {@link BulkOperations}; entry
 * processors in {@link EntryProcessing}; iteration in {@link CacheIterator}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LarderCache<K, V> implements Cache<K, V>
{
    /** Lock stripes per cache. */
    static final int LOCK_STRIPES = 64;

    private final String name;
    private final LarderCacheManager manager;
    private final LarderConfiguration<K, V> configuration;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final Dispatcher<K, V> dispatcher;
    private final Statistics statistics = new Statistics();
    private final Management management;
    /** The Larder store and the building blocks of every operation. */
    private final StripedStore<K, V> striped;
    private final dev.larder.Cache<K, V> store;
    private final ConditionalWrites<K, V> conditional;
    private final BulkOperations<K, V> bulk;
    private final EntryProcessing<K, V> processing;
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
        this.dispatcher = new Dispatcher<>(this, executor);
        this.management = new Management(this);
        this.striped = new StripedStore<>(name, configuration, manager.getClassLoader(), builder, dispatcher,
            statistics);
        this.store = striped.store();
        this.conditional = new ConditionalWrites<>(striped);
        this.bulk = new BulkOperations<>(striped, executor);
        this.processing = new EntryProcessing<>(striped, this);
    }

    // ----------------------------------------------------------------------------------------------
    // Reads
    // ----------------------------------------------------------------------------------------------

    @Override
    public V get(final K key)
    {
        requireOpen();
        striped.checkKey(key);
        final long start = statistics.start();
        final V value = striped.locked(key, () -> striped.getLocked(key, striped.readThrough()));
        statistics.recordGetTime(start);
        return value;
    }

    @Override
    public Map<K, V> getAll(final Set<? extends K> keys)
    {
        requireOpen();
        return bulk.getAll(keys);
    }

    @Override
    public boolean containsKey(final K key)
    {
        requireOpen();
        striped.checkKey(key);
        return store.containsKey(key);
    }

    @Override
    public void loadAll(
        final Set<? extends K> keys, final boolean replaceExistingValues, final CompletionListener completionListener)
    {
        requireOpen();
        bulk.loadAll(keys, replaceExistingValues, completionListener);
    }

    // ----------------------------------------------------------------------------------------------
    // Writes
    // ----------------------------------------------------------------------------------------------

    @Override
    public void put(final K key, final V value)
    {
        requireOpen();
        striped.checkKey(key);
        striped.checkValue(value);
        final long start = statistics.start();
        final Boolean written = striped.locked(key, () -> {
            final Object existing = striped.lookup(key, dispatcher.hasListeners());
            striped.write(key, value);
            return existing == null ? striped.create(key, value) :
                striped.update(key, value, striped.valueOrNull(existing));
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
        striped.checkKey(key);
        striped.checkValue(value);
        final long start = statistics.start();
        final boolean[] written = new boolean[1];
        final V old = striped.locked(key, () -> {
            final V existing = store.get(key);
            striped.write(key, value);
            written[0] = existing == null ? striped.create(key, value) : striped.update(key, value, existing);
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
        bulk.putAll(map);
    }

    @Override
    public boolean putIfAbsent(final K key, final V value)
    {
        requireOpen();
        return conditional.putIfAbsent(key, value);
    }

    @Override
    public boolean remove(final K key)
    {
        requireOpen();
        striped.checkKey(key);
        final long start = statistics.start();
        final Boolean removed = striped.locked(key, () -> removeLocked(key));
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
        final Object existing = striped.lookup(key, dispatcher.hasListenersFor(EventType.REMOVED));
        striped.delete(key);
        if (existing == null)
        {
            return false;
        }
        store.remove(key);
        dispatcher.removed(key, striped.valueOrNull(existing));
        return true;
    }

    @Override
    public boolean remove(final K key, final V oldValue)
    {
        requireOpen();
        return conditional.remove(key, oldValue);
    }

    @Override
    public V getAndRemove(final K key)
    {
        requireOpen();
        return conditional.getAndRemove(key);
    }

    @Override
    public boolean replace(final K key, final V oldValue, final V newValue)
    {
        requireOpen();
        return conditional.replace(key, oldValue, newValue);
    }

    @Override
    public boolean replace(final K key, final V value)
    {
        requireOpen();
        return conditional.replace(key, value);
    }

    @Override
    public V getAndReplace(final K key, final V value)
    {
        requireOpen();
        return conditional.getAndReplace(key, value);
    }

    @Override
    public void removeAll(final Set<? extends K> keys)
    {
        requireOpen();
        striped.checkKeys(keys);
        bulk.removeAll(new ArrayList<K>(keys));
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
        bulk.removeAll(keys);
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
        return processing.invoke(key, entryProcessor, arguments);
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(
        final Set<? extends K> keys, final EntryProcessor<K, V, T> entryProcessor, final Object... arguments)
    {
        requireOpen();
        return processing.invokeAll(keys, entryProcessor, arguments);
    }

    // ----------------------------------------------------------------------------------------------
    // Iteration
    // ----------------------------------------------------------------------------------------------

    @Override
    public Iterator<Cache.Entry<K, V>> iterator()
    {
        requireOpen();
        return new CacheIterator<>(this, striped);
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
        striped.close();
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

    /** @throws IllegalStateException once the cache is closed */
    void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("cache is closed: name=" + name);
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
