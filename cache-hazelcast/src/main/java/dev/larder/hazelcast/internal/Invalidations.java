package dev.larder.hazelcast.internal;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.EventLostEvent;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryLoadedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.EventLostListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.map.listener.MapEvictedListener;

/**
 * The one map listener of a near cache, registered without values: every event that can change
 * what the map holds for a key invalidates that key; the map-wide ones (clear, evictAll) invalidate
 * everything; a lost-event notice counts as lost events.
 *
 * @param <K> the key type
 */
public final class Invalidations<K> implements
    EntryAddedListener<K, Object>,
    EntryUpdatedListener<K, Object>,
    EntryRemovedListener<K, Object>,
    EntryEvictedListener<K, Object>,
    EntryExpiredListener<K, Object>,
    EntryMergedListener<K, Object>,
    EntryLoadedListener<K, Object>,
    MapClearedListener,
    MapEvictedListener,
    EventLostListener
{
    /** Where the events go. */
    public interface Sink<K>
    {
        /** One key's entry changed (or may have). */
        void invalidate(K key);

        /** Every entry changed: the map was cleared or evicted as a whole. */
        void invalidateAll();

        /** Events may have been lost. */
        void eventsLost(String cause);
    }

    private final Sink<K> sink;

    public Invalidations(final Sink<K> sink)
    {
        this.sink = sink;
    }

    @Override
    public void entryAdded(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void entryUpdated(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void entryRemoved(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void entryEvicted(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void entryExpired(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void entryMerged(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void entryLoaded(final EntryEvent<K, Object> event)
    {
        sink.invalidate(event.getKey());
    }

    @Override
    public void mapCleared(final MapEvent event)
    {
        sink.invalidateAll();
    }

    @Override
    public void mapEvicted(final MapEvent event)
    {
        sink.invalidateAll();
    }

    @Override
    public void eventLost(final EventLostEvent event)
    {
        sink.eventsLost("event lost (partition " + event.getPartitionId() + ")");
    }
}
