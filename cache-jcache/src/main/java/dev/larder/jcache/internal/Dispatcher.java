package dev.larder.jcache.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.EventType;

/**
 * Publishes a cache's events to its registered listeners.
 *
 * <p>{@link #publish} queues an event on every registration that listens to its type (called
 * while the key's lock is held, so that each registration sees the changes of a key in order) and
 * remembers, per thread, the synchronous registrations it touched; {@link #awaitSynchronous()},
 * called by the same thread once the lock is released, delivers to them before the cache call
 * returns. Nothing is allocated when no listener is registered.
 */
public final class Dispatcher<K, V>
{
    static final System.Logger LOGGER = System.getLogger("dev.larder.jcache");

    private final Cache<K, V> source;
    private final Executor executor;
    private final CopyOnWriteArrayList<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();
    private final ThreadLocal<List<Registration<K, V>>> touched = ThreadLocal.withInitial(ArrayList::new);
    private volatile boolean any;
    private volatile boolean oldValuesForUpdates;
    private volatile boolean removedListeners;
    private volatile boolean expiredListeners;

    /**
     * @param source   the cache, the source of every event
     * @param executor runs asynchronous listeners
     */
    public Dispatcher(final Cache<K, V> source, final Executor executor)
    {
        this.source = source;
        this.executor = executor;
    }

    /** Registers a listener (built from its factories now). */
    public void register(final CacheEntryListenerConfiguration<K, V> configuration)
    {
        registrations.add(new Registration<>(configuration, executor));
        refresh();
    }

    /** Deregisters a listener; unknown configurations are ignored. */
    public void deregister(final CacheEntryListenerConfiguration<K, V> configuration)
    {
        for (final Registration<K, V> registration : registrations)
        {
            if (registration.configuration().equals(configuration))
            {
                registrations.remove(registration);
                registration.close();
            }
        }
        refresh();
    }

    private void refresh()
    {
        boolean old = false;
        boolean removed = false;
        boolean expired = false;
        for (final Registration<K, V> registration : registrations)
        {
            old |= registration.accepts(EventType.UPDATED) && registration.isOldValueRequired();
            removed |= registration.accepts(EventType.REMOVED);
            expired |= registration.accepts(EventType.EXPIRED);
        }
        oldValuesForUpdates = old;
        removedListeners = removed;
        expiredListeners = expired;
        any = !registrations.isEmpty();
    }

    /** @return true when a listener is registered. */
    public boolean hasListeners()
    {
        return any;
    }

    /** @return true when some updated-listener wants the old value (so the cache must read it). */
    public boolean needsOldValueForUpdates()
    {
        return oldValuesForUpdates;
    }

    /** @return true when some listener listens to {@code type}. */
    public boolean hasListenersFor(final EventType type)
    {
        switch (type)
        {
            case REMOVED:
                return removedListeners;
            case EXPIRED:
                return expiredListeners;
            default:
                return any;
        }
    }

    /** Queues a created event. */
    public void created(final K key, final V value)
    {
        publish(EventType.CREATED, key, value, null);
    }

    /** Queues an updated event. */
    public void updated(final K key, final V value, final V oldValue)
    {
        publish(EventType.UPDATED, key, value, oldValue);
    }

    /** Queues a removed event; the value is the removed one. */
    public void removed(final K key, final V value)
    {
        publish(EventType.REMOVED, key, value, value);
    }

    /** Queues an expired event; the value is the expired one. */
    public void expired(final K key, final V value)
    {
        publish(EventType.EXPIRED, key, value, value);
    }

    private void publish(final EventType type, final K key, final V value, final V oldValue)
    {
        if (!any)
        {
            return;
        }
        for (final Registration<K, V> registration : registrations)
        {
            if (registration.accepts(type))
            {
                registration.enqueue(new LarderEntryEvent<>(source, type, key, value, oldValue,
                    type != EventType.UPDATED || registration.isOldValueRequired()));
                if (registration.isSynchronous())
                {
                    final List<Registration<K, V>> mine = touched.get();
                    if (!mine.contains(registration))
                    {
                        mine.add(registration);
                    }
                }
            }
        }
    }

    /**
     * Delivers the events this thread published to synchronous listeners.
     *
     * @throws javax.cache.event.CacheEntryListenerException the first failure of a listener
     */
    public void awaitSynchronous()
    {
        final RuntimeException failure = drain();
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * Delivers like {@link #awaitSynchronous()} while {@code primary} is being thrown: a listener
     * failure is added to it as suppressed.
     */
    public void awaitSynchronous(final Throwable primary)
    {
        try
        {
            final RuntimeException failure = drain();
            if (failure != null && failure != primary)
            {
                primary.addSuppressed(failure);
            }
        }
        catch (final Error ex)
        {
            primary.addSuppressed(ex);
        }
    }

    private RuntimeException drain()
    {
        if (!any)
        {
            return null;
        }
        final List<Registration<K, V>> mine = touched.get();
        if (mine.isEmpty())
        {
            return null;
        }
        RuntimeException failure = null;
        try
        {
            for (int i = 0; i < mine.size(); i++)
            {
                final RuntimeException ex = mine.get(i).drainSynchronously();
                failure = failure == null ? ex : failure;
            }
        }
        finally
        {
            mine.clear();
        }
        return failure;
    }

    /** Closes every listener and filter that is {@link AutoCloseable}, and forgets them. */
    public void close()
    {
        for (final Registration<K, V> registration : registrations)
        {
            registration.close();
        }
        registrations.clear();
        refresh();
    }

    static void closeQuietly(final Object resource)
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
}
