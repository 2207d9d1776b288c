package dev.larder.jcache;

import dev.larder.jcache.internal.Dispatcher;
import dev.larder.jcache.internal.ProcessorEntry;
import dev.larder.jcache.internal.Statistics;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * The JCache entry processors of a {@link LarderCache}: runs an {@link EntryProcessor} under the
 * key's lock on a {@link ProcessorEntry} (which records what the processor did), then applies the
 * outcome (access, load, create, update or delete, with the writer, the events and the statistics
 * each asks for), and {@code invokeAll}'s per-key results.
 *
 * <h2>Why a class of its own</h2>
 * The processor's outcome maps onto every other operation's steps; kept apart, it reads as that
 * mapping. A processor that throws leaves the entry unchanged. {@link LarderCache} checks that it
 * is open and delegates; the building blocks are in {@link StripedStore}.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class EntryProcessing<K, V>
{
    private final StripedStore<K, V> striped;
    private final dev.larder.Cache<K, V> store;
    private final Dispatcher<K, V> dispatcher;
    private final Statistics statistics;
    private final LarderCache<K, V> cache;

    EntryProcessing(final StripedStore<K, V> striped, final LarderCache<K, V> cache)
    {
        this.striped = striped;
        this.store = striped.store();
        this.dispatcher = striped.dispatcher();
        this.statistics = striped.statistics();
        this.cache = cache;
    }

    /** {@link LarderCache#invoke}, once the cache is known to be open. */
    <T> T invoke(final K key, final EntryProcessor<K, V, T> entryProcessor, final Object... arguments)
    {
        striped.checkKey(key);
        Objects.requireNonNull(entryProcessor, "entryProcessor must not be null");
        final long start = statistics.start();
        return striped.locked(key, () -> invokeLocked(key, entryProcessor, start, arguments));
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
        final ProcessorEntry<K, V> entry =
            new ProcessorEntry<>(key, current, striped.readThrough() ? striped.loader() : null);
        final T result;
        try
        {
            result = processor.process(entry, arguments);
            if (entry.value() != null)
            {
                striped.checkValue(entry.value());
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
                striped.accessed(key, current);
                break;
            case LOADED:
                striped.create(key, entry.value());
                break;
            case CREATED:
                striped.write(key, entry.value());
                if (striped.create(key, entry.value()))
                {
                    statistics.recordPuts(1);
                    statistics.recordPutTime(start);
                }
                break;
            case UPDATED:
                striped.write(key, entry.value());
                striped.update(key, entry.value(), current);
                statistics.recordPuts(1);
                statistics.recordPutTime(start);
                break;
            case DELETED:
                striped.delete(key);
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

    /** {@link LarderCache#invokeAll}: each key by {@link LarderCache#invoke}. */
    <T> Map<K, EntryProcessorResult<T>> invokeAll(
        final Set<? extends K> keys, final EntryProcessor<K, V, T> entryProcessor, final Object... arguments)
    {
        striped.checkKeys(keys);
        Objects.requireNonNull(entryProcessor, "entryProcessor must not be null");
        final Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (final K key : keys)
        {
            try
            {
                final T result = cache.invoke(key, entryProcessor, arguments);
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
}
