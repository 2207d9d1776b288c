package dev.larder.hazelcast.internal;

import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.impl.connection.ClientConnection;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.nio.ConnectionListener;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells a near cache on a Hazelcast client of every connection the client opens or loses, a
 * signal that no public listener gives.
 *
 * <h2>Why</h2>
 * A smart client registers a map listener on each member separately (local-only registrations), so
 * while it has no connection to a member, or has one but has not yet re-registered on it, the
 * events of that member's partitions are lost, with no lifecycle or membership event when the
 * member stays in the cluster. The near cache treats each such change as lost events.
 *
 * <h2>Internal API</h2>
 * This uses Hazelcast's internal client classes ({@code HazelcastClientProxy},
 * {@code ConnectionListener}); when they are missing or changed, {@link #attach} returns
 * {@code null} and the near cache relies on lifecycle and membership events and its time to live.
 * Hazelcast has no way to remove a connection listener, so {@link #attach} returns a switch that
 * turns the listener into a no-op.
 */
public final class ClientConnections
{
    private ClientConnections()
    {
    }

    /**
     * @param instance a member or a client
     * @param onChange run on each connection added or removed
     * @return what detaches (silences) the listener; null when {@code instance} is not a client or
     *     its connections cannot be observed
     */
    public static Runnable attach(final HazelcastInstance instance, final Runnable onChange)
    {
        try
        {
            if (!(instance instanceof HazelcastClientProxy))
            {
                return null;
            }
            final AtomicReference<Runnable> target = new AtomicReference<>(onChange);
            ((HazelcastClientProxy)instance).client.getConnectionManager().addConnectionListener(
                new ConnectionListener<ClientConnection>()
                {
                    @Override
                    public void connectionAdded(final ClientConnection connection)
                    {
                        run(target.get());
                    }

                    @Override
                    public void connectionRemoved(final ClientConnection connection)
                    {
                        run(target.get());
                    }
                });
            return () -> target.set(null);
        }
        catch (final LinkageError | RuntimeException ex)
        {
            return null;
        }
    }

    private static void run(final Runnable action)
    {
        if (action != null)
        {
            action.run();
        }
    }
}
