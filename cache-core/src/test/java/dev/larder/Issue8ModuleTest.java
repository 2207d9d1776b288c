package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.codec.Codecs;
import dev.larder.management.CacheMXBeans;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, section 3: cache-core is the named module {@code dev.larder}, which exports the API
 * packages only, and works as a module: every path that needs a {@code requires} (Agrona, JMX,
 * the direct-memory limit, freeing memory at once) runs here. Runs in the {@code module-path}
 * surefire execution; the class-path runs skip it.
 */
class Issue8ModuleTest
{
    private static final Module LARDER = OffHeapCache.class.getModule();

    @Test
    void theModuleExportsTheApiPackagesOnly()
    {
        assumeTrue(LARDER.isNamed(), "runs on the module path only");
        final ModuleDescriptor descriptor = LARDER.getDescriptor();
        assertEquals("dev.larder", descriptor.name());
        final Set<String> exports = new TreeSet<>();
        for (final ModuleDescriptor.Exports export : descriptor.exports())
        {
            assertFalse(export.isQualified(), "qualified export: " + export);
            exports.add(export.source());
        }
        assertEquals(Set.of("dev.larder", "dev.larder.codec", "dev.larder.management"), exports);
        assertTrue(descriptor.packages().contains("dev.larder.internal"));
        assertFalse(LARDER.isExported("dev.larder.internal"));
        assertTrue(descriptor.opens().isEmpty(), "opens nothing: " + descriptor.opens());

        final Map<String, Set<ModuleDescriptor.Requires.Modifier>> requires = new TreeMap<>();
        for (final ModuleDescriptor.Requires require : descriptor.requires())
        {
            if (!require.modifiers().contains(ModuleDescriptor.Requires.Modifier.MANDATED))
            {
                requires.put(require.name(), require.modifiers());
            }
        }
        assertEquals(Map.of(
            "org.agrona", Set.of(ModuleDescriptor.Requires.Modifier.TRANSITIVE),
            "java.management", Set.of(ModuleDescriptor.Requires.Modifier.TRANSITIVE),
            "jdk.management", Set.of(),
            "jdk.unsupported", Set.of()), requires);
        assertEquals("org.agrona", DirectBuffer.class.getModule().getName(), "Agrona's automatic module name");
    }

    @Test
    void aCacheWorksInTheModule() throws Exception
    {
        assumeTrue(LARDER.isNamed(), "runs on the module path only");
        final OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(4).build();
        try
        {
            // this execution exports jdk.internal.misc to org.agrona, so the fast path is chosen
            assertEquals(MemoryBackend.AGRONA, cache.memoryBackend());
            final DirectBuffer key = Buffers.wrap(new byte[] {1, 2, 3});
            assertTrue(cache.put(key, 0, 3, Buffers.wrap(new byte[] {4}), 0, 1));
            assertArrayEquals(new byte[] {4}, cache.get(key, 0, 3));
            try (CacheMXBeans.Registration registration = CacheMXBeans.register(cache, "module"))
            {
                assertEquals(1L, ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(registration.objectName(), "EntryCount"));
            }
            try (Cache<String, String> typed = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(),
                Codecs.utf8()))
            {
                typed.put("k", "v");
                assertEquals("v", typed.get("k"));
            }
        }
        finally
        {
            cache.close();
        }
        assertEquals(0, cache.unfreedBytes(), "freed at once on close");
        // the direct-memory limit is read (jdk.management): a cache beyond it is refused up front
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> OffHeapCache.builder().capacity(1L << 40).segments(1 << 16).build());
        assertTrue(ex.getMessage().contains("-XX:MaxDirectMemorySize"), ex.getMessage());
    }
}
