package dev.larder.jcache;

import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.RemovalCause;
import dev.larder.codec.Codec;
import dev.larder.jcache.internal.Dispatcher;
import dev.larder.jcache.internal.JCacheCodecs;
import dev.larder.jcache.internal.Statistics;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.cache.CacheException;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.EventType;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.agrona.DirectBuffer;

/**
 * The Larder store under a {@link LarderCache}, and the building blocks every JCache operation is
 * made of: the striped key locks, the type checks, the expiry policy applied to creations, updates
 * and accesses (with their events), and the calls to the cache loader and writer.
 *
 * <h2>Why a class of its own</h2>
 * {@link LarderCache} implements the JCache operations (which statistics each records, which
 * events it publishes, in which order it calls the writer); this class holds what they share, so
 * that the operations read as sequences of these steps. {@link ConditionalWrites},
 * {@link BulkOperations}, {@link EntryProcessing} and {@link CacheIterator} use it the same way.
 *
 * <h2>Concurrency</h2>
 * Each JCache operation on a key runs under one of {@value #LOCK_STRIPES} striped locks, picked by
 * the key's hash ({@link #locked}); the methods documented "under the key's lock" must be called
 * there. Events are queued under the lock and delivered to synchronous listeners once it is
 * released.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class StripedStore<K, V>
{
    /** Lock stripes per cache. */
    static final int LOCK_STRIPES = LarderCache.LOCK_STRIPES;

    private static final java.time.Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    private static final System.Logger LOGGER = System.getLogger("dev.larder.jcache");
    /** Stands for a present value that was not read. */
    private static final Object PRESENT = new Object();

    private final String name;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final boolean taggedKeys;
    private final boolean taggedValues;
    private final ExpiryTtls expiry;
    private final CacheLoader<K, V> loader;
    private final boolean readThrough;
    private final CacheWriter<K, V> writer;
    private final Dispatcher<K, V> dispatcher;
    private final Statistics statistics;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final dev.larder.Cache<K, V> store;

    /**
     * Creates the codecs, the expiry policy, loader and writer from the configuration's factories,
     * registers the configured listeners with {@code dispatcher}, then builds the Larder cache.
     */
    StripedStore(
        final String name,
        final LarderConfiguration<K, V> configuration,
        final ClassLoader classLoader,
        final OffHeapCacheBuilder builder,
        final Dispatcher<K, V> dispatcher,
        final Statistics statistics)
    {
        this.name = name;
        this.keyType = configuration.getKeyType();
        this.valueType = configuration.getValueType();
        this.keyCodec = JCacheCodecs.forType(keyType, classLoader);
        this.valueCodec = JCacheCodecs.forType(valueType, classLoader);
        this.taggedKeys = !isBuiltIn(keyType);
        this.taggedValues = !isBuiltIn(valueType);
        this.dispatcher = dispatcher;
        this.statistics = statistics;
        for (int i = 0; i < locks.length; i++)
        {
            locks[i] = new ReentrantLock();
        }

        final Factory<ExpiryPolicy> expiryFactory = configuration.getExpiryPolicyFactory();
        this.expiry = new ExpiryTtls(expiryFactory == null ? new EternalExpiryPolicy() : expiryFactory.create());
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

    dev.larder.Cache<K, V> store()
    {
        return store;
    }

    Dispatcher<K, V> dispatcher()
    {
        return dispatcher;
    }

    Statistics statistics()
    {
        return statistics;
    }

    /** @return the cache loader, or null. */
    CacheLoader<K, V> loader()
    {
        return loader;
    }

    /** @return whether misses load through the cache loader. */
    boolean readThrough()
    {
        return readThrough;
    }

    /** @return the cache writer when writing through, or null. */
    CacheWriter<K, V> writer()
    {
        return writer;
    }

    /** Closes the expiry policy, loader, writer and listeners when closeable, then frees the store. */
    void close()
    {
        closeQuietly(expiry.policy());
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

    // ----------------------------------------------------------------------------------------------
    // Building blocks, called under the key's lock
    // ----------------------------------------------------------------------------------------------

    /** Under the key's lock: the value (access expiry applied), or the loaded one, or null. */
    V getLocked(final K key, final boolean load)
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

    /** @return the value ({@code readValue}), {@link #PRESENT} (a value not read), or null when absent. */
    Object lookup(final K key, final boolean readValue)
    {
        if (readValue)
        {
            return store.get(key);
        }
        return store.containsKey(key) ? PRESENT : null;
    }

    @SuppressWarnings("unchecked")
    V valueOrNull(final Object existing)
    {
        return existing == PRESENT ? null : (V)existing;
    }

    /**
     * Stores a new entry with the creation expiry and publishes {@code CREATED}.
     *
     * @return false when the entry expired at once (zero duration) or was too large to store
     */
    boolean create(final K key, final V value)
    {
        final long ttl = expiry.creationTtl();
        if (ttl == ExpiryTtls.TTL_EXPIRED)
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
    boolean update(final K key, final V value, final V oldValue)
    {
        long ttl = expiry.updateTtl();
        if (ttl == ExpiryTtls.TTL_KEEP)
        {
            ttl = remainingTtl(key);
        }
        if (ttl == ExpiryTtls.TTL_EXPIRED)
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
    void accessed(final K key, final V value)
    {
        final long ttl = expiry.accessTtl();
        if (ttl == ExpiryTtls.TTL_KEEP)
        {
            return;
        }
        if (ttl == ExpiryTtls.TTL_EXPIRED)
        {
            store.remove(key);
            dispatcher.expired(key, value);
            statistics.recordEvictions(1);
            return;
        }
        store.touch(key, ttl == ExpiryTtls.TTL_ETERNAL ? OffHeapCache.MAX_TTL : java.time.Duration.ofMillis(ttl));
    }

    /**
     * @return true when stored; false when Larder refused the entry as too large, in which case
     *     the key is left absent (never with its old value) and an eviction is counted
     */
    private boolean storeValue(final K key, final V value, final long ttl)
    {
        final boolean stored = ttl == ExpiryTtls.TTL_ETERNAL ? store.put(key, value) :
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
        return left.equals(FOREVER) ? ExpiryTtls.TTL_ETERNAL : Math.max(1, left.toMillis());
    }

    // ----------------------------------------------------------------------------------------------
    // Cache loader and writer
    // ----------------------------------------------------------------------------------------------

    V load(final K key)
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

    Map<K, V> loadAll(final List<K> keys)
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

    void write(final K key, final V value)
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

    void delete(final K key)
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

    static CacheWriterException writerFailure(final String call, final Object key, final RuntimeException ex)
    {
        if (ex instanceof CacheWriterException)
        {
            return (CacheWriterException)ex;
        }
        return new CacheWriterException("the cache writer's " + call + " failed" + (key == null ? "" : ": key=" + key) +
            "; the cache is unchanged: " + ex, ex);
    }

    // ----------------------------------------------------------------------------------------------
    // Locks
    // ----------------------------------------------------------------------------------------------

    private ReentrantLock lockFor(final Object key)
    {
        final int hash = key instanceof byte[] ? java.util.Arrays.hashCode((byte[])key) : key.hashCode();
        final int spread = hash ^ (hash >>> 16);
        return locks[spread & (LOCK_STRIPES - 1)];
    }

    /** Runs {@code operation} under the key's lock, then delivers to synchronous listeners. */
    <R> R locked(final K key, final Supplier<R> operation)
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
    <T> int eachUnderStripe(
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

    /** Runs {@code operation} under the key's lock; the caller delivers to synchronous listeners. */
    <R> R lockedNoAwait(final K key, final Supplier<R> operation)
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

    // ----------------------------------------------------------------------------------------------
    // Checks
    // ----------------------------------------------------------------------------------------------

    void checkKey(final Object key)
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

    void checkKeys(final Set<? extends K> keys)
    {
        Objects.requireNonNull(keys, "keys must not be null");
        for (final K key : keys)
        {
            checkKey(key);
        }
    }

    void checkValue(final Object value)
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

    // ----------------------------------------------------------------------------------------------
    // Larder's removal listener
    // ----------------------------------------------------------------------------------------------

    /** Larder tells of entries that left by expiry or eviction (the rest the operations did themselves). */
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
}
