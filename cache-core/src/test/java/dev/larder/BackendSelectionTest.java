package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Surefire runs the suite twice: with the flag Agrona 2.x needs and with no JVM flag. Each run
 * names the backend it expects in {@code larder.test.expectedBackend}.
 */
class BackendSelectionTest
{
    private static final String EXPECTED = System.getProperty("larder.test.expectedBackend", "");

    @Test
    void autoPicksTheBackendThisJvmAllows()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).build())
        {
            if (!EXPECTED.isEmpty())
            {
                assertEquals(MemoryBackend.valueOf(EXPECTED), cache.memoryBackend());
            }
            assertEquals(cache.memoryBackend(), cache.stats().memoryBackend());
            assertTrue(cache.toString().contains("memoryBackend=" + cache.memoryBackend()), cache.toString());
        }
    }

    @Test
    void jdkBackendCanAlwaysBeForced()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).memoryBackend(MemoryBackend.JDK).build())
        {
            assertEquals(MemoryBackend.JDK, cache.memoryBackend());
            assertTrue(cache.put(TestCaches.bytes("k"), TestCaches.bytes("v")));
        }
    }

    @Test
    void forcingAgronaWithoutTheFlagFailsAtBuild()
    {
        if ("JDK".equals(EXPECTED))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> OffHeapCache.builder().capacity(1 << 20).memoryBackend(MemoryBackend.AGRONA).build());
            final String target = org.agrona.DirectBuffer.class.getModule().isNamed() ? "org.agrona" : "ALL-UNNAMED";
            assertTrue(ex.getMessage().startsWith("memory backend AGRONA is not available in this JVM " +
                "(run with --add-exports java.base/jdk.internal.misc=" + target + ")"), ex.getMessage());
        }
        else
        {
            try (OffHeapCache cache =
                OffHeapCache.builder().capacity(1 << 20).memoryBackend(MemoryBackend.AGRONA).build())
            {
                assertEquals(MemoryBackend.AGRONA, cache.memoryBackend());
            }
        }
    }
}
