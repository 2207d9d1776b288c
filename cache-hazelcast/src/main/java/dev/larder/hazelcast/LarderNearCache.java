package dev.larder.hazelcast;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.larder.Cache;
import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.codec.Codec;
import dev.larder.hazelcast.internal.Invalidations;
import dev.larder.hazelcast.internal.KeyBytes;
import dev.larder.hazelcast.internal.NearCacheCodec;
import dev.larder.hazelcast.internal.Reservation;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * An off-heap near cache in front of a Hazelcast {@link IMap}, on a member or a client: gets are
 * answered from a Larder cache when they can be, and otherwise read the map, one read per key
 * however many threads miss it at once; puts and removes go to the map and invalidate locally; the
 * map's events invalidate what other members and clients change.
 *
 * <pre>{@code
 * try (LarderNearCache<Long, String> products = LarderNearCache
 *         .builder(hazelcast, "products", Codecs.longs(), Codecs.utf8())
 *         .capacity(1L << 30)                 // 1 GiB off-heap, index included
 *         .ttl(Duration.ofMinutes(5))         // the last-resort staleness bound
 *         .build()) {
 *     String name = products.get(42L);        // local when near-cached, else one map read
 *     products.put(42L, "tea");               // map.set, then local invalidation
 * }
 * }</pre>
 *
 * <h2>Consistency</h2>
 * A get returns the map's value at some moment during the get, or an older value whose
 * overwriting has not yet been announced to this near cache: by its own put or remove, or by the
 * map event, which arrives a short, measured delay after the write (docs/scale-out.md). When events
 * may have been lost (a client connection opened or lost, a member left or joined, a partition lost,
 * a split-brain merge) the near cache clears itself and caches nothing until its map listener is
 * registered again on every connection; the time to live bounds anything no listener reports.
 *
 * <h2>The read race</h2>
 * A miss makes a {@link Reservation} for the key (by encoded bytes) before reading the map, with
 * the current epoch; an invalidation removes the key's reservation and the local entry inside one
 * {@code ConcurrentHashMap.compute} on the reservation table; a clear (a map-wide event, lost
 * events) increments the epoch and clears the local cache under the write lock of
 * {@link #publishLock}. The value read is stored only inside a {@code compute} on the same key that
 * finds the very same reservation, under the read lock, with the epoch unchanged and the listener
 * in sync. So the store and an invalidation of its key are ordered by the table's lock, and a store
 * and a clear by {@link #publishLock}: an invalidation that comes after the reservation either
 * removes the stored value or makes the store fail; one that came before the reservation announced
 * a write the read comes after. docs/scale-out.md gives the argument in full.
 *
 * <h2>Threads and closing</h2>
 * All methods are thread-safe; no lock is held while Hazelcast is called. Listener re-registration
 * runs on one daemon thread per near cache; the listeners and that thread are in
 * {@link MapSubscriptions}. {@link #close()} detaches every listener, frees the
 * off-heap memory and leaves the map untouched; calls after it throw
 * {@code IllegalStateException("near cache is closed: map=...")}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class LarderNearCache<K, V> implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("dev.larder.hazelcast");
    private static final long RESYNC_RETRY_MILLIS = 500;

    private final IMap<K, V> map;
    private final Codec<K> keyCodec;
    private final Cache<K, Object> local;
    private final boolean cacheMisses;

    /** Reads in flight, by encoded key. */
    private final ConcurrentHashMap<KeyBytes, Reservation> reservations = new ConcurrentHashMap<>();
    /** Stores take the read lock; clears (epoch changes) the write lock. */
    private final ReentrantReadWriteLock publishLock = new ReentrantReadWriteLock();
    /** Incremented, under the write lock, by every clear; a reservation of an older epoch never publishes. */
    private volatile long epoch;
    /** Lost-event signals so far; the near cache is in sync when {@link #syncedThrough} equals it. */
    private final AtomicLong signals = new AtomicLong();
    private volatile long syncedThrough;
    private volatile boolean closed;

    /** The map listener, the lost-event signals and the re-registration thread. */
    private final MapSubscriptions<K, V> subscriptions;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder mapReads = new LongAdder();
    private final LongAdder coalescedReads = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder stalePublishesPrevented = new LongAdder();
    private final LongAdder lostEventClears = new LongAdder();

    /** For tests: run after a map read, before its publish; null otherwise. */
    volatile Consumer<Object> beforePublish;
    /** For tests: told of each invalidation once applied (the key; null for all keys); null otherwise. */
    volatile Consumer<Object> invalidationObserver;

    LarderNearCache(
        final HazelcastInstance instance,
        final String mapName,
        final Codec<K> keyCodec,
        final OffHeapCacheBuilder larder,
        final Codec<V> valueCodec,
        final boolean cacheMisses)
    {
        this.map = instance.getMap(mapName);
        this.keyCodec = keyCodec;
        this.cacheMisses = cacheMisses;
        this.local = larder.build(keyCodec, new NearCacheCodec<>(valueCodec));
        final Invalidations<K> listener = new Invalidations<>(new Invalidations.Sink<K>()
        {
            @Override
            public void invalidate(final K key)
            {
                onInvalidation(key);
            }

            @Override
            public void invalidateAll()
            {
                onInvalidateAll();
            }

            @Override
            public void eventsLost(final String cause)
            {
                onLostEvents(cause);
            }
        });
        this.subscriptions = new MapSubscriptions<>(instance, map, listener);
        try
        {
            subscriptions.attach(this::onLostEvents);
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly();
            throw ex;
        }
    }

    /**
     * @param instance   a running member or client
     * @param mapName    the map to near-cache ({@code instance.getMap(mapName)})
     * @param keyCodec   encodes keys for Larder; equal keys must encode to equal bytes
     * @param valueCodec encodes values for Larder
     * @return a builder; see {@link LarderNearCacheBuilder} for the options
     */
    public static <K, V> LarderNearCacheBuilder<K, V> builder(
        final HazelcastInstance instance, final String mapName, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        return new LarderNearCacheBuilder<>(instance, mapName, keyCodec, valueCodec);
    }

    // ----------------------------------------------------------------------------------------------
    // get, put, remove
    // ----------------------------------------------------------------------------------------------

    /**
     * @return the key's value: from the near cache when it holds the key, otherwise from the map
     *     (then near-cached, unless invalidated meanwhile); null when the map has no entry
     */
    @SuppressWarnings("unchecked")
    public V get(final K key)
    {
        requireNonNull(key, "key");
        checkOpen();
        if (inSync())
        {
            final Object cached = local.get(key);
            if (cached != null)
            {
                hits.increment();
                return cached == NearCacheCodec.MISS ? null : (V)cached;
            }
        }
        misses.increment();
        return (V)load(key);
    }

    /** Sets the key's value in the map ({@link IMap#set}), then invalidates it locally. */
    public void put(final K key, final V value)
    {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        checkOpen();
        try
        {
            map.set(key, value);
        }
        finally
        {
            invalidateLocally(key);
        }
    }

    /** Removes the key from the map ({@link IMap#delete}), then invalidates it locally. */
    public void remove(final K key)
    {
        requireNonNull(key, "key");
        checkOpen();
        try
        {
            map.delete(key);
        }
        finally
        {
            invalidateLocally(key);
        }
    }

    /** Drops the key from the near cache only; the map is unchanged. */
    public void invalidate(final K key)
    {
        requireNonNull(key, "key");
        checkOpen();
        invalidateLocally(key);
    }

    /** Drops everything from the near cache only; the map is unchanged. */
    public void invalidateAll()
    {
        checkOpen();
        clearLocally();
    }

    /** @return the map behind the near cache (writes made on it directly are invalidated by its events). */
    public IMap<K, V> map()
    {
        return map;
    }

    /** @return a snapshot of the near cache's counters and of its Larder cache's statistics. */
    public NearCacheStats stats()
    {
        checkOpen();
        return new NearCacheStats(hits.sum(), misses.sum(), mapReads.sum(), coalescedReads.sum(),
            invalidations.sum(), stalePublishesPrevented.sum(), lostEventClears.sum(), local.stats());
    }

    /** @return the byte-level Larder cache underneath (for its statistics, JMX and meters). */
    public OffHeapCache larder()
    {
        return local.bytes();
    }

    /** @return true once {@link #close()} has begun. */
    public boolean isClosed()
    {
        return closed;
    }

    /** @return true while the map listener is known to be registered on every connection. */
    boolean inSync()
    {
        return syncedThrough == signals.get();
    }

    // ----------------------------------------------------------------------------------------------
    // Misses: reservation, one map read, publish
    // ----------------------------------------------------------------------------------------------

    private Object load(final K key)
    {
        final KeyBytes id = KeyBytes.of(key, keyCodec);
        while (true)
        {
            final Reservation running = reservations.get(id);
            if (running != null)
            {
                if (running.epoch == epoch)
                {
                    coalescedReads.increment();
                    return running.join();
                }
                // made before a clear: what it reads may predate lost events; it will not publish
                reservations.remove(id, running);
                continue;
            }
            final Reservation mine = new Reservation(epoch);
            if (reservations.putIfAbsent(id, mine) == null)
            {
                return read(key, id, mine);
            }
        }
    }

    private Object read(final K key, final KeyBytes id, final Reservation mine)
    {
        try
        {
            final V value = map.get(key);
            mapReads.increment();
            final Consumer<Object> hook = beforePublish;
            if (hook != null)
            {
                hook.accept(key);
            }
            publish(key, id, mine, value);
            mine.result.complete(value);
            return value;
        }
        catch (final RuntimeException | Error ex)
        {
            mine.result.completeExceptionally(ex);
            throw ex;
        }
        finally
        {
            reservations.remove(id, mine);
        }
    }

    /**
     * Stores what {@code mine}'s read found, only if nothing invalidated the key or cleared the cache
     * since, and the listener is in sync (a read made out of sync is not stale, just not stored).
     */
    private void publish(final K key, final KeyBytes id, final Reservation mine, final V value)
    {
        final Object stored = value != null ? value : cacheMisses ? NearCacheCodec.MISS : null;
        final boolean[] stale = new boolean[1];
        publishLock.readLock().lock();
        try
        {
            if (closed)
            {
                return;
            }
            reservations.compute(id, (k, current) -> {
                if (current != mine || mine.epoch != epoch)
                {
                    // invalidated (the key's reservation was removed, maybe remade) or cleared since
                    stale[0] = true;
                    return current == mine ? null : current;
                }
                if (stored != null && inSync())
                {
                    local.put(key, stored);
                }
                return null;
            });
        }
        finally
        {
            publishLock.readLock().unlock();
        }
        if (stale[0])
        {
            stalePublishesPrevented.increment();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Invalidation, clears, lost events
    // ----------------------------------------------------------------------------------------------

    /** Removes the key's local entry and its reservation, atomically with respect to a publish of the key. */
    private void invalidateLocally(final K key)
    {
        final KeyBytes id = KeyBytes.of(key, keyCodec);
        try
        {
            reservations.compute(id, (k, current) -> {
                local.remove(key);
                return null;
            });
        }
        catch (final IllegalStateException ex)
        {
            if (!closed)
            {
                throw ex;
            }
            // closed meanwhile: nothing left to invalidate
        }
    }

    /** Moves to a new epoch and empties the local cache, ordered against every publish. */
    private void clearLocally()
    {
        publishLock.writeLock().lock();
        try
        {
            epoch++;
            if (!closed)
            {
                local.clear();
            }
        }
        finally
        {
            publishLock.writeLock().unlock();
        }
    }

    private void onInvalidation(final K key)
    {
        if (closed)
        {
            return;
        }
        invalidateLocally(key);
        invalidations.increment(); // after: whoever sees the count sees the invalidation done
        observe(key);
    }

    private void onInvalidateAll()
    {
        if (closed)
        {
            return;
        }
        clearLocally();
        invalidations.increment();
        observe(null);
    }

    /**
     * Events may have been lost: out of sync (no hits, no stores), cleared, and the map listener
     * registered again; in sync again only after that registration has returned and a second clear.
     */
    void onLostEvents(final String cause)
    {
        if (closed)
        {
            return;
        }
        signals.incrementAndGet();
        clearLocally();
        lostEventClears.increment();
        LOG.log(System.Logger.Level.DEBUG, () -> "near cache of map " + map.getName() + " cleared: " + cause);
        scheduleResync(0);
    }

    private void scheduleResync(final long delayMillis)
    {
        subscriptions.schedule(this::resync, delayMillis);
    }

    /**
     * Registers the map listener again (the new one before the old one goes, so that no event
     * falls between) on every connection the instance has now, clears, and declares the near cache
     * in sync up to the signals seen before the registration. Signals that came meanwhile schedule
     * another round.
     */
    private void resync()
    {
        final long target = signals.get();
        if (closed || syncedThrough == target)
        {
            return;
        }
        try
        {
            subscriptions.replaceMapListener();
        }
        catch (final RuntimeException ex)
        {
            if (!closed && subscriptions.instanceRunning())
            {
                LOG.log(System.Logger.Level.DEBUG, () -> "near cache of map " + map.getName() +
                    ": listener registration failed, retrying: " + ex);
                scheduleResync(RESYNC_RETRY_MILLIS);
            }
            return;
        }
        publishLock.writeLock().lock();
        try
        {
            epoch++;
            if (!closed)
            {
                local.clear();
            }
            syncedThrough = target;
        }
        finally
        {
            publishLock.writeLock().unlock();
        }
        if (signals.get() != target)
        {
            scheduleResync(0);
        }
    }

    private void observe(final Object key)
    {
        final Consumer<Object> observer = invalidationObserver;
        if (observer != null)
        {
            observer.accept(key);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Closing
    // ----------------------------------------------------------------------------------------------

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("near cache is closed: map=" + map.getName());
        }
    }

    /**
     * Detaches the map, lifecycle and membership listeners, stops re-registration and frees the
     * off-heap memory. The map is untouched. Idempotent; a get racing with it may return a value
     * without near-caching it, or fail with {@code IllegalStateException}.
     */
    @Override
    public void close()
    {
        publishLock.writeLock().lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        finally
        {
            publishLock.writeLock().unlock();
        }
        closeQuietly();
    }

    /** Package-private for tests: the registrations close removes. */
    UUID[] registrations()
    {
        return subscriptions.registrations();
    }

    private void closeQuietly()
    {
        closed = true;
        try
        {
            subscriptions.close();
        }
        finally
        {
            // reservations may still be in the table; under the write lock no publish is running
            publishLock.writeLock().lock();
            try
            {
                local.close();
            }
            finally
            {
                publishLock.writeLock().unlock();
            }
        }
    }

    @Override
    public String toString()
    {
        return "LarderNearCache{map=" + map.getName() + ", cacheMisses=" + cacheMisses + ", " + local.bytes() + "}";
    }
}
