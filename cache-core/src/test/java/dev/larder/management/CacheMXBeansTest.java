package dev.larder.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.larder.OffHeapCache;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class CacheMXBeansTest
{
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void showsConfigurationAndCountersUntilUnregistered() throws Exception
    {
        final OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(4).build();
        final ObjectName name = CacheMXBeans.objectName("orders");
        assertEquals("dev.larder:type=OffHeapCache,name=\"orders\"", name.toString());
        assertFalse(server.isRegistered(name), "nothing is registered unless asked");
        try (CacheMXBeans.Registration registration = CacheMXBeans.register(cache, "orders"))
        {
            assertEquals(name, registration.objectName());
            cache.put(1L, new byte[8]);
            cache.get(1L);
            cache.get(2L);
            assertEquals("orders", server.getAttribute(name, "CacheName"));
            assertEquals(1L << 20, server.getAttribute(name, "CapacityBytes"));
            assertEquals(4, server.getAttribute(name, "SegmentCount"));
            assertEquals(1L, server.getAttribute(name, "EntryCount"));
            assertEquals(1L, server.getAttribute(name, "HitCount"));
            assertEquals(1L, server.getAttribute(name, "MissCount"));
            assertEquals(0.5, server.getAttribute(name, "HitRate"));
            assertEquals(1L, server.getAttribute(name, "PutCount"));
            assertEquals(cache.stats().usedBytes(), server.getAttribute(name, "UsedBytes"));
            assertEquals(cache.memoryBackend().name(), server.getAttribute(name, "MemoryBackend"));
            assertEquals(false, server.getAttribute(name, "Closed"));
            assertFalse(server.getMBeanInfo(name).getAttributes()[0].isWritable(), "read-only");

            final IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> CacheMXBeans.register(cache, "orders"));
            assertEquals("a cache MXBean of this name is registered already: name=" + name, twice.getMessage());

            cache.close();
            assertEquals(true, server.getAttribute(name, "Closed"));
            assertEquals(1L, server.getAttribute(name, "HitCount"), "the last counters stay readable");
        }
        assertFalse(server.isRegistered(name));
    }

    @Test
    void namesAreQuoted()
    {
        assertEquals("dev.larder:type=OffHeapCache,name=\"a,b=c:d\"", CacheMXBeans.objectName("a,b=c:d").toString());
        assertFalse(CacheMXBeans.objectName("x").isPattern());
    }
}
