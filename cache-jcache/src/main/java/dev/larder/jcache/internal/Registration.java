package dev.larder.jcache.internal;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;

/**
 * One registered listener: its configuration, the listener and filter built from their factories,
 * and a queue of events in the order the cache published them.
 *
 * <h2>Delivery</h2>
 * Events are queued while the key's lock is held, so the queue holds them in the order of the
 * changes. A synchronous registration is drained by the thread that made the change, before its
 * call returns, under this registration's monitor (so a listener sees one event at a time, in
 * order). An asynchronous registration is drained by one task at a time on the executor.
 */
final class Registration<K, V>
{
    private final CacheEntryListenerConfiguration<K, V> configuration;
    private final CacheEntryListener<? super K, ? super V> listener;
    private final CacheEntryEventFilter<? super K, ? super V> filter;
    private final boolean synchronous;
    private final boolean oldValueRequired;
    private final boolean created;
    private final boolean updated;
    private final boolean removed;
    private final boolean expired;
    private final ConcurrentLinkedQueue<LarderEntryEvent<K, V>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Executor executor;

    Registration(final CacheEntryListenerConfiguration<K, V> configuration, final Executor executor)
    {
        this.configuration = configuration;
        this.executor = executor;
        final Factory<javax.cache.event.CacheEntryListener<? super K, ? super V>> listenerFactory =
            configuration.getCacheEntryListenerFactory();
        if (listenerFactory == null)
        {
            throw new IllegalArgumentException("a listener configuration must have a listener factory: configuration=" +
                configuration);
        }
        this.listener = listenerFactory.create();
        final Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory =
            configuration.getCacheEntryEventFilterFactory();
        this.filter = filterFactory == null ? null : filterFactory.create();
        this.synchronous = configuration.isSynchronous();
        this.oldValueRequired = configuration.isOldValueRequired();
        this.created = listener instanceof CacheEntryCreatedListener;
        this.updated = listener instanceof CacheEntryUpdatedListener;
        this.removed = listener instanceof CacheEntryRemovedListener;
        this.expired = listener instanceof CacheEntryExpiredListener;
    }

    CacheEntryListenerConfiguration<K, V> configuration()
    {
        return configuration;
    }

    boolean isSynchronous()
    {
        return synchronous;
    }

    boolean isOldValueRequired()
    {
        return oldValueRequired;
    }

    boolean accepts(final EventType type)
    {
        switch (type)
        {
            case CREATED:
                return created;
            case UPDATED:
                return updated;
            case REMOVED:
                return removed;
            default:
                return expired;
        }
    }

    /** Queues an event; an asynchronous registration schedules its delivery. */
    void enqueue(final LarderEntryEvent<K, V> event)
    {
        queue.add(event);
        if (!synchronous)
        {
            schedule();
        }
    }

    private void schedule()
    {
        if (!queue.isEmpty() && draining.compareAndSet(false, true))
        {
            try
            {
                executor.execute(this::drainAsynchronously);
            }
            catch (final RuntimeException ex)
            {
                draining.set(false);
                Dispatcher.LOGGER.log(System.Logger.Level.WARNING, "cannot schedule listener events", ex);
            }
        }
    }

    private void drainAsynchronously()
    {
        try
        {
            LarderEntryEvent<K, V> event;
            while ((event = queue.poll()) != null)
            {
                try
                {
                    deliver(event);
                }
                catch (final RuntimeException | Error ex)
                {
                    Dispatcher.LOGGER.log(System.Logger.Level.WARNING, "an asynchronous cache entry listener failed",
                        ex);
                }
            }
        }
        finally
        {
            draining.set(false);
        }
        schedule(); // an event queued after the last poll but before the flag was cleared
    }

    /**
     * Delivers every queued event, in order, in this thread.
     *
     * @return the first failure of the listener or filter, or null
     */
    synchronized RuntimeException drainSynchronously()
    {
        RuntimeException failure = null;
        LarderEntryEvent<K, V> event;
        while ((event = queue.poll()) != null)
        {
            try
            {
                deliver(event);
            }
            catch (final CacheEntryListenerException ex)
            {
                failure = failure == null ? ex : failure;
            }
            catch (final RuntimeException ex)
            {
                failure = failure == null ? new CacheEntryListenerException(
                    "a cache entry listener failed: " + ex, ex) : failure;
            }
        }
        return failure;
    }

    @SuppressWarnings("unchecked")
    private void deliver(final LarderEntryEvent<K, V> event)
    {
        if (filter != null && !filter.evaluate(event))
        {
            return;
        }
        final List<javax.cache.event.CacheEntryEvent<? extends K, ? extends V>> events = List.of(event);
        switch (event.getEventType())
        {
            case CREATED:
                ((CacheEntryCreatedListener<K, V>)listener).onCreated(events);
                break;
            case UPDATED:
                ((CacheEntryUpdatedListener<K, V>)listener).onUpdated(events);
                break;
            case REMOVED:
                ((CacheEntryRemovedListener<K, V>)listener).onRemoved(events);
                break;
            default:
                ((CacheEntryExpiredListener<K, V>)listener).onExpired(events);
                break;
        }
    }

    /** Closes the listener and the filter when they are {@link AutoCloseable}. */
    void close()
    {
        Dispatcher.closeQuietly(listener);
        Dispatcher.closeQuietly(filter);
    }
}
