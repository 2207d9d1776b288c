package dev.larder.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.impl.connection.ClientConnection;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A real Hazelcast cluster in the test JVM, shared by the test classes: three members (TCP/IP join on
 * 127.0.0.1, no multicast, short heartbeats, 19 partitions, no phone-home) and two clients. Started
 * once, on first use; a test that kills a member starts a replacement before it ends.
 */
final class TestCluster
{
    static final int BASE_PORT = 5871;
    private static final String NAME = "larder-test-" + UUID.randomUUID();
    private static TestCluster cluster;

    final List<HazelcastInstance> members = new ArrayList<>();
    final HazelcastInstance clientA;
    final HazelcastInstance clientB;

    private TestCluster()
    {
        for (int i = 0; i < 3; i++)
        {
            members.add(startMember());
        }
        clientA = startClient("client-a");
        clientB = startClient("client-b");
        awaitTrue("clients connected to every member", () -> connections(clientA) == 3 && connections(clientB) == 3);
    }

    static synchronized TestCluster get()
    {
        if (cluster == null)
        {
            cluster = new TestCluster();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                HazelcastClient.shutdownAll();
                Hazelcast.shutdownAll();
            }));
        }
        return cluster;
    }

    static Config memberConfig()
    {
        final Config config = new Config();
        config.setClusterName(NAME);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.partition.count", "19");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "8");
        config.setProperty("hazelcast.operation.thread.count", "2");
        config.setProperty("hazelcast.operation.generic.thread.count", "2");
        config.setProperty("hazelcast.event.thread.count", "2");
        config.setProperty("hazelcast.io.thread.count", "1");
        config.setProperty("hazelcast.health.monitoring.level", "OFF");
        final NetworkConfig network = config.getNetworkConfig();
        network.setPort(BASE_PORT).setPortAutoIncrement(true).setPortCount(10);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        final JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int port = BASE_PORT; port < BASE_PORT + 6; port++)
        {
            join.getTcpIpConfig().addMember("127.0.0.1:" + port);
        }
        return config;
    }

    static HazelcastInstance startMember()
    {
        return Hazelcast.newHazelcastInstance(memberConfig());
    }

    static ClientConfig clientConfig(final String name)
    {
        final ClientConfig config = new ClientConfig();
        config.setClusterName(NAME);
        config.setInstanceName(name + "-" + UUID.randomUUID());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.client.heartbeat.interval", "1000");
        config.setProperty("hazelcast.client.heartbeat.timeout", "8000");
        config.setProperty("hazelcast.client.invocation.timeout.seconds", "60");
        // writes interrupted by a member's death are sent again (a set of the same value is idempotent)
        config.getNetworkConfig().setRedoOperation(true);
        for (int port = BASE_PORT; port < BASE_PORT + 6; port++)
        {
            config.getNetworkConfig().addAddress("127.0.0.1:" + port);
        }
        config.getConnectionStrategyConfig().getConnectionRetryConfig()
            .setInitialBackoffMillis(50).setMaxBackoffMillis(500).setClusterConnectTimeoutMillis(60_000);
        return config;
    }

    static HazelcastInstance startClient(final String name)
    {
        return HazelcastClient.newHazelcastClient(clientConfig(name));
    }

    /** @return the client's open connections to members. */
    static int connections(final HazelcastInstance client)
    {
        return ((HazelcastClientProxy)client).client.getConnectionManager().getActiveConnections().size();
    }

    /**
     * Closes every connection of the client, as a network failure would (it reconnects by itself); returns how many.
     */
    static int disconnect(final HazelcastInstance client)
    {
        return close(client, connection -> true);
    }

    /** Closes the client's connection to {@code member}, as a network failure would; returns how many (0 or 1). */
    static int disconnect(final HazelcastInstance client, final UUID member)
    {
        return close(client, connection -> member.equals(connection.getRemoteUuid()));
    }

    private static int close(final HazelcastInstance client, final Predicate<ClientConnection> which)
    {
        int closed = 0;
        for (final ClientConnection connection :
            ((HazelcastClientProxy)client).client.getConnectionManager().getActiveConnections())
        {
            if (which.test(connection))
            {
                connection.close("disconnected by the test", null);
                closed++;
            }
        }
        return closed;
    }

    /** @return whether the client has a connection to {@code member}. */
    static boolean connected(final HazelcastInstance client, final UUID member)
    {
        return ((HazelcastClientProxy)client).client.getConnectionManager().getActiveConnection(member) != null;
    }

    /** Kills {@code members.get(index)} abruptly and starts a replacement; waits until all is connected again. */
    void killAndReplace(final int index)
    {
        members.remove(index).getLifecycleService().terminate();
        members.add(startMember());
        awaitStable();
    }

    void awaitStable()
    {
        awaitTrue("3 members and the clients connected to each", () ->
            members.stream().allMatch(m -> m.getCluster().getMembers().size() == 3) &&
            clientA.getCluster().getMembers().size() == 3 && clientB.getCluster().getMembers().size() == 3 &&
            connections(clientA) == 3 && connections(clientB) == 3);
    }

    /** Waits for a condition; the 60 s limit is a hang guard only, never a timing assertion. */
    static void awaitTrue(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not reached within 60 s: " + what);
            }
            LockSupport.parkNanos(100_000);
            if (Thread.interrupted())
            {
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
