package dev.larder.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.map.IMap;
import dev.larder.hazelcast.internal.ClientConnections;
import dev.larder.hazelcast.internal.Invalidations;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Hazelcast listeners of one {@link LarderNearCache}, and the thread that registers its map
 * listener again: the map's entry listener (invalidations), and the signals that events may have
 * been lost (client connections, lifecycle, membership, partition loss).
 *
 * <h2>Why a class of its own</h2>
 * Registering, re-registering and detaching listeners is plumbing around Hazelcast's API, cold and
 * separate from the near cache's read race (reservations, epochs, the publish lock), which
 * {@link LarderNearCache} keeps. The near cache decides when to re-register and what a lost event
 * means; this class only talks to Hazelcast.
 *
 * <h2>Threads</h2>
 * {@link #attach} runs in the near cache's constructor; {@link #replaceMapListener} on the one
 * daemon thread of {@link #schedule}; {@link #close} once, from the near cache's close. The
 * registration ids are in concurrent or volatile fields, read by {@link #registrations()} from any
 * thread.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class MapSubscriptions<K, V>
{
    private static final System.Logger LOG = System.getLogger("dev.larder.hazelcast");

    private final HazelcastInstance instance;
    private final IMap<K, V> map;
    private final Invalidations<K> listener;
    /** The map listener's registrations: one, two while {@link #replaceMapListener()} replaces it. */
    private final Set<UUID> mapRegistrations = ConcurrentHashMap.newKeySet();
    private volatile UUID partitionLostRegistration;
    private volatile UUID lifecycleRegistration;
    private volatile UUID membershipRegistration;
    private volatile Runnable connectionsDetach;
    private final ScheduledThreadPoolExecutor resyncer;

    MapSubscriptions(final HazelcastInstance instance, final IMap<K, V> map, final Invalidations<K> listener)
    {
        this.instance = instance;
        this.map = map;
        this.listener = listener;
        this.resyncer = resyncThread(map.getName());
    }

    /**
     * Registers every listener; the lost-event signals first, so that a connection made while the
     * map listener registers is not missed. On failure the caller closes this.
     *
     * @param lostEvents told the cause of each signal that events may have been lost
     */
    void attach(final Consumer<String> lostEvents)
    {
        connectionsDetach = ClientConnections.attach(instance, () -> lostEvents.accept("client connection changed"));
        lifecycleRegistration = instance.getLifecycleService().addLifecycleListener(lifecycleListener(lostEvents));
        membershipRegistration = instance.getCluster().addMembershipListener(membershipListener(lostEvents));
        partitionLostRegistration = map.addPartitionLostListener(event ->
            lostEvents.accept("partition " + event.getPartitionId() + " lost"));
        mapRegistrations.add(map.addEntryListener(listener, false));
    }

    /**
     * Registers the map listener again, the new one before the old one goes, so that no event falls
     * between; on every connection the instance has now.
     *
     * @throws RuntimeException when Hazelcast refuses (a registration that failed part way is left
     *     for {@link #close} to remove)
     */
    void replaceMapListener()
    {
        final Set<UUID> previous = Set.copyOf(mapRegistrations);
        mapRegistrations.add(map.addEntryListener(listener, false));
        for (final UUID id : previous)
        {
            map.removeEntryListener(id);
            mapRegistrations.remove(id);
        }
    }

    /** Runs {@code task} on the re-registration thread after {@code delayMillis}; nothing once closed. */
    void schedule(final Runnable task, final long delayMillis)
    {
        try
        {
            resyncer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        }
        catch (final RuntimeException ex)
        {
            // closed meanwhile
        }
    }

    /** @return whether the instance runs, so that a failed registration is worth retrying. */
    boolean instanceRunning()
    {
        return LarderNearCacheBuilder.isRunning(instance);
    }

    /** The registrations {@link #close} removes. */
    UUID[] registrations()
    {
        final Set<UUID> ids = new HashSet<>(mapRegistrations);
        ids.add(partitionLostRegistration);
        ids.add(lifecycleRegistration);
        ids.add(membershipRegistration);
        return ids.toArray(new UUID[0]);
    }

    /**
     * Silences the connection listener, stops the re-registration thread (a registration in
     * progress completes) and removes every listener, quietly.
     */
    void close()
    {
        final Runnable detachConnections = connectionsDetach;
        if (detachConnections != null)
        {
            detachConnections.run();
        }
        // no interrupt: a registration in progress completes, and is then removed with the others
        resyncer.shutdown();
        try
        {
            awaitResyncer();
        }
        finally
        {
            detach();
        }
    }

    private void awaitResyncer()
    {
        try
        {
            resyncer.awaitTermination(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void detach()
    {
        if (!LarderNearCacheBuilder.isRunning(instance))
        {
            return; // the instance's listeners went with it
        }
        for (final UUID id : mapRegistrations)
        {
            quietly(() -> map.removeEntryListener(id));
        }
        mapRegistrations.clear();
        quietly(() -> {
            if (partitionLostRegistration != null)
            {
                map.removePartitionLostListener(partitionLostRegistration);
            }
        });
        quietly(() -> {
            if (lifecycleRegistration != null)
            {
                instance.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
            }
        });
        quietly(() -> {
            if (membershipRegistration != null)
            {
                instance.getCluster().removeMembershipListener(membershipRegistration);
            }
        });
    }

    private void quietly(final Runnable action)
    {
        try
        {
            action.run();
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, () -> "near cache of map " + map.getName() +
                ": detaching a listener failed: " + ex);
        }
    }

    private static LifecycleListener lifecycleListener(final Consumer<String> lostEvents)
    {
        return event -> {
            final LifecycleEvent.LifecycleState state = event.getState();
            switch (state)
            {
                case CLIENT_DISCONNECTED:
                case CLIENT_CONNECTED:
                case CLIENT_CHANGED_CLUSTER:
                case MERGING:
                case MERGED:
                case MERGE_FAILED:
                case SHUTTING_DOWN:
                    lostEvents.accept("lifecycle " + state);
                    break;
                default:
                    break;
            }
        };
    }

    private static MembershipListener membershipListener(final Consumer<String> lostEvents)
    {
        return new MembershipListener()
        {
            @Override
            public void memberAdded(final MembershipEvent event)
            {
                lostEvents.accept("member added: " + event.getMember());
            }

            @Override
            public void memberRemoved(final MembershipEvent event)
            {
                lostEvents.accept("member removed: " + event.getMember());
            }
        };
    }

    private static ScheduledThreadPoolExecutor resyncThread(final String mapName)
    {
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            final Thread thread = new Thread(task, "larder-near-cache-resync-" + mapName);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }
}
