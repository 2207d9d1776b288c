package dev.larder.jcache;

import dev.larder.jcache.internal.Dispatcher;
import dev.larder.jcache.internal.Statistics;
import java.util.Objects;

/**
 * The conditional single-key writes of a {@link LarderCache}: {@code putIfAbsent}, the two-argument
 * {@code remove}, {@code getAndRemove}, both {@code replace} forms and {@code getAndReplace}. Each
 * reads the current entry under the key's lock, decides, calls the writer, changes the store and
 * publishes its events, then records the hit or miss and the put or removal JCache asks for.
 *
 * <h2>Why a class of its own</h2>
 * These operations differ from {@code put} and {@code remove} only in the condition and in the
 * statistics they record; together they are a third of the JCache interface. {@link LarderCache}
 * checks that it is open and delegates; the building blocks are in {@link StripedStore}.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class ConditionalWrites<K, V>
{
    private final StripedStore<K, V> striped;
    private final dev.larder.Cache<K, V> store;
    private final Dispatcher<K, V> dispatcher;
    private final Statistics statistics;

    ConditionalWrites(final StripedStore<K, V> striped)
    {
        this.striped = striped;
        this.store = striped.store();
        this.dispatcher = striped.dispatcher();
        this.statistics = striped.statistics();
    }

    boolean putIfAbsent(final K key, final V value)
    {
        striped.checkKey(key);
        striped.checkValue(value);
        final long start = statistics.start();
        final boolean[] present = new boolean[1];
        final Boolean written = striped.locked(key, () -> {
            if (store.containsKey(key))
            {
                present[0] = true;
                return false;
            }
            striped.write(key, value);
            return striped.create(key, value);
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

    boolean remove(final K key, final V oldValue)
    {
        striped.checkKey(key);
        striped.checkValue(oldValue);
        final long start = statistics.start();
        final boolean[] found = new boolean[1];
        final Boolean removed = striped.locked(key, () -> {
            final V current = store.get(key);
            if (current == null)
            {
                return false;
            }
            found[0] = true;
            if (!Objects.deepEquals(current, oldValue))
            {
                striped.accessed(key, current);
                return false;
            }
            striped.delete(key);
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

    V getAndRemove(final K key)
    {
        striped.checkKey(key);
        final long start = statistics.start();
        final V old = striped.locked(key, () -> {
            final V current = store.get(key);
            striped.delete(key);
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

    boolean replace(final K key, final V oldValue, final V newValue)
    {
        striped.checkKey(key);
        striped.checkValue(oldValue);
        striped.checkValue(newValue);
        final long start = statistics.start();
        final boolean[] found = new boolean[1];
        final Boolean replaced = striped.locked(key, () -> {
            final V current = store.get(key);
            if (current == null)
            {
                return false;
            }
            found[0] = true;
            if (!Objects.deepEquals(current, oldValue))
            {
                striped.accessed(key, current);
                return false;
            }
            striped.write(key, newValue);
            striped.update(key, newValue, current);
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

    boolean replace(final K key, final V value)
    {
        striped.checkKey(key);
        striped.checkValue(value);
        final long start = statistics.start();
        final Boolean replaced = striped.locked(key, () -> {
            final Object existing = striped.lookup(key, dispatcher.hasListeners());
            if (existing == null)
            {
                return false;
            }
            striped.write(key, value);
            striped.update(key, value, striped.valueOrNull(existing));
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

    V getAndReplace(final K key, final V value)
    {
        striped.checkKey(key);
        striped.checkValue(value);
        final long start = statistics.start();
        final V old = striped.locked(key, () -> {
            final V current = store.get(key);
            if (current != null)
            {
                striped.write(key, value);
                striped.update(key, value, current);
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
}
