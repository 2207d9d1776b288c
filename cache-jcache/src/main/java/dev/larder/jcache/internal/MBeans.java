package dev.larder.jcache.internal;

import java.lang.management.ManagementFactory;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers a cache's MXBeans on the platform MBean server under the names the JCache
 * specification gives them:
 * {@code javax.cache:type=CacheStatistics|CacheConfiguration,CacheManager=<uri>,Cache=<name>},
 * with {@code , : = \n} in the URI and the name replaced by {@code .}.
 */
public final class MBeans
{
    /** The MXBean kinds. */
    public enum Type
    {
        /** {@link javax.cache.management.CacheStatisticsMXBean}. */
        CacheStatistics,
        /** {@link javax.cache.management.CacheMXBean}. */
        CacheConfiguration
    }

    private MBeans()
    {
    }

    /** @return the object name of a cache's MXBean. */
    public static ObjectName objectName(final Type type, final String managerUri, final String cacheName)
    {
        final String name = "javax.cache:type=" + type + ",CacheManager=" + safe(managerUri) + ",Cache=" +
            safe(cacheName);
        try
        {
            return new ObjectName(name);
        }
        catch (final MalformedObjectNameException ex)
        {
            throw new CacheException("cannot name the MXBean: name=" + name, ex);
        }
    }

    private static String safe(final String text)
    {
        return text == null ? "" : text.replaceAll(",|:|=|\n", ".");
    }

    /** Registers {@code bean} under {@code name}, replacing nothing (an existing bean is kept). */
    public static void register(final ObjectName name, final Object bean)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            if (!server.isRegistered(name))
            {
                server.registerMBean(bean, name);
            }
        }
        catch (final InstanceAlreadyExistsException ex)
        {
            // registered concurrently: the same cache enabled twice at once
        }
        catch (final JMException ex)
        {
            throw new CacheException("cannot register the MXBean: name=" + name, ex);
        }
    }

    /** Unregisters {@code name} if registered. */
    public static void unregister(final ObjectName name)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            if (server.isRegistered(name))
            {
                server.unregisterMBean(name);
            }
        }
        catch (final InstanceNotFoundException ex)
        {
            // unregistered concurrently
        }
        catch (final JMException ex)
        {
            throw new CacheException("cannot unregister the MXBean: name=" + name, ex);
        }
    }
}
