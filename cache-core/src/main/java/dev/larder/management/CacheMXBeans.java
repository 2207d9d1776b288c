package dev.larder.management;

import static java.util.Objects.requireNonNull;

import dev.larder.CacheStats;
import dev.larder.OffHeapCache;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers an {@link OffHeapCacheMXBean} for a cache on the platform MBean server, on request:
 *
 * <pre>{@code
 * try (CacheMXBeans.Registration jmx = CacheMXBeans.register(cache, "sessions")) {
 *     // dev.larder:type=OffHeapCache,name=sessions is visible in JConsole, VisualVM, ...
 * }
 * }</pre>
 *
 * The bean holds the cache until the registration is closed; after the cache is closed it shows
 * the last counters it read and {@code Closed=true}. The JMX API is part of the JDK: nothing is
 * added to Larder's dependencies.
 */
public final class CacheMXBeans
{
    /** The object name's domain. */
    public static final String DOMAIN = "dev.larder";

    private CacheMXBeans()
    {
    }

    /** A registered bean; closing it unregisters the bean. Idempotent. */
    public interface Registration extends AutoCloseable
    {
        /** @return the bean's object name. */
        ObjectName objectName();

        /** Unregisters the bean. */
        @Override
        void close();
    }

    /**
     * @param cacheName the {@code name} key of the object name; characters JMX reserves are quoted
     * @return {@code dev.larder:type=OffHeapCache,name=<cacheName>}
     */
    public static ObjectName objectName(final String cacheName)
    {
        requireNonNull(cacheName, "cacheName");
        try
        {
            return new ObjectName(DOMAIN + ":type=OffHeapCache,name=" + ObjectName.quote(cacheName));
        }
        catch (final MalformedObjectNameException ex)
        {
            throw new IllegalArgumentException("cacheName must make a JMX object name: cacheName=" + cacheName, ex);
        }
    }

    /**
     * Registers the read-only bean of {@code cache} under {@link #objectName(String)}.
     *
     * @return the registration; close it to unregister
     * @throws IllegalStateException when a bean of that name is registered already
     */
    public static Registration register(final OffHeapCache cache, final String cacheName)
    {
        requireNonNull(cache, "cache");
        final ObjectName name = objectName(cacheName);
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            server.registerMBean(new View(cache, cacheName), name);
        }
        catch (final InstanceAlreadyExistsException ex)
        {
            throw new IllegalStateException("a cache MXBean of this name is registered already: name=" + name, ex);
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("cannot register the cache MXBean: name=" + name, ex);
        }
        return new Registration()
        {
            private boolean closed;

            @Override
            public ObjectName objectName()
            {
                return name;
            }

            @Override
            public synchronized void close()
            {
                if (closed)
                {
                    return;
                }
                closed = true;
                try
                {
                    server.unregisterMBean(name);
                }
                catch (final JMException ex)
                {
                    // unregistered by someone else: nothing left to do
                }
            }
        };
    }

    /** The bean: reads the cache's stats on every attribute, keeping the last reading for after close. */
    private static final class View implements OffHeapCacheMXBean
    {
        private final OffHeapCache cache;
        private final String cacheName;
        private volatile CacheStats last;

        View(final OffHeapCache cache, final String cacheName)
        {
            this.cache = cache;
            this.cacheName = cacheName;
            this.last = cache.stats();
        }

        private CacheStats stats()
        {
            if (!cache.isClosed())
            {
                try
                {
                    last = cache.stats();
                }
                catch (final IllegalStateException ex)
                {
                    // closed while we read: keep the last reading
                }
            }
            return last;
        }

        @Override
        public String getCacheName()
        {
            return cacheName;
        }

        @Override
        public long getCapacityBytes()
        {
            return cache.capacity();
        }

        @Override
        public long getAllocatedBytes()
        {
            return stats().allocatedBytes();
        }

        @Override
        public long getUsedBytes()
        {
            return stats().usedBytes();
        }

        @Override
        public int getSegmentCount()
        {
            return cache.segmentCount();
        }

        @Override
        public int getMaxEntrySize()
        {
            return cache.maxEntrySize();
        }

        @Override
        public String getMemoryBackend()
        {
            return cache.memoryBackend().name();
        }

        @Override
        public String getHashFunction()
        {
            return cache.hashFunction().name();
        }

        @Override
        public long getEntryCount()
        {
            return stats().entryCount();
        }

        @Override
        public long getHitCount()
        {
            return stats().hitCount();
        }

        @Override
        public long getMissCount()
        {
            return stats().missCount();
        }

        @Override
        public double getHitRate()
        {
            return stats().hitRate();
        }

        @Override
        public long getPutCount()
        {
            return stats().putCount();
        }

        @Override
        public long getOverwriteCount()
        {
            return stats().overwriteCount();
        }

        @Override
        public long getRemovalCount()
        {
            return stats().removalCount();
        }

        @Override
        public long getEvictionCount()
        {
            return stats().evictionCount();
        }

        @Override
        public long getExpirationCount()
        {
            return stats().expirationCount();
        }

        @Override
        public long getRejectionCount()
        {
            return stats().rejectionCount();
        }

        @Override
        public long getSecondChanceCount()
        {
            return stats().secondChanceCount();
        }

        @Override
        public long getAdmissionRejectionCount()
        {
            return stats().admissionRejectionCount();
        }

        @Override
        public double getWindowShare()
        {
            return stats().windowShare();
        }

        @Override
        public String getEvictionMode()
        {
            return stats().evictionMode().name();
        }

        @Override
        public long getListenerFailureCount()
        {
            return stats().listenerFailureCount();
        }

        @Override
        public long getLoadSuccessCount()
        {
            return stats().loadSuccessCount();
        }

        @Override
        public long getLoadFailureCount()
        {
            return stats().loadFailureCount();
        }

        @Override
        public long getTotalLoadTimeNanos()
        {
            return stats().totalLoadTimeNanos();
        }

        @Override
        public boolean isClosed()
        {
            return cache.isClosed();
        }
    }
}
