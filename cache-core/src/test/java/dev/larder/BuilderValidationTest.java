package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every builder rule, with its whole message. */
class BuilderValidationTest
{
    private static void fails(final Class<? extends Throwable> type, final String message, final Executable call)
    {
        assertEquals(message, assertThrows(type, call).getMessage());
    }

    @Test
    void segmentsMustBeAPowerOfTwoWithinLimits()
    {
        fails(IllegalArgumentException.class, "segments must be a power of two: segments=100",
            () -> OffHeapCache.builder().segments(100));
        fails(IllegalArgumentException.class, "segments must be a power of two: segments=0",
            () -> OffHeapCache.builder().segments(0));
        fails(IllegalArgumentException.class, "segments must be a power of two: segments=-4",
            () -> OffHeapCache.builder().segments(-4));
        fails(IllegalArgumentException.class, "segments must be at most 65536: segments=131072",
            () -> OffHeapCache.builder().segments(131072));
    }

    @Test
    void capacityMustBePositiveSetAndLargeEnough()
    {
        fails(IllegalArgumentException.class, "capacity must be positive: capacity=0",
            () -> OffHeapCache.builder().capacity(0));
        fails(IllegalArgumentException.class, "capacity must be positive: capacity=-1",
            () -> OffHeapCache.builder().capacity(-1));
        fails(IllegalStateException.class, "capacity must be set: call capacity(bytes)",
            () -> OffHeapCache.builder().build());
        fails(IllegalArgumentException.class,
            "capacity must be at least 4096 bytes per segment: capacity=1000000, segments=256, minimum=1048576",
            () -> OffHeapCache.builder().capacity(1_000_000).build());
        fails(IllegalArgumentException.class,
            "capacity per segment must be at most 2147483640 bytes: capacity=4294967296, segments=1 " +
                "(use more segments)",
            () -> OffHeapCache.builder().capacity(1L << 32).segments(1).build());
    }

    @Test
    void theSmallestCapacityWorks()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(4096).segments(1).build())
        {
            assertTrue(cache.put(1L, new byte[100]));
            assertTrue(cache.stats().allocatedBytes() <= 4096);
        }
    }

    @Test
    void otherOptionsAreCheckedAtOnce()
    {
        fails(IllegalArgumentException.class, "expectedEntrySize must be positive: expectedEntrySize=0",
            () -> OffHeapCache.builder().expectedEntrySize(0));
        fails(IllegalArgumentException.class, "ttl must be at least 1 ms and at most 365000 days: ttl=PT0S",
            () -> OffHeapCache.builder().defaultTtl(Duration.ZERO));
        fails(IllegalArgumentException.class, "ttl must be at least 1 ms and at most 365000 days: ttl=PT-1S",
            () -> OffHeapCache.builder().defaultTtl(Duration.ofSeconds(-1)));
        fails(NullPointerException.class, "defaultTtl", () -> OffHeapCache.builder().defaultTtl(null));
        fails(NullPointerException.class, "ticker", () -> OffHeapCache.builder().ticker(null));
        fails(NullPointerException.class, "memoryBackend", () -> OffHeapCache.builder().memoryBackend(null));
        fails(NullPointerException.class, "hashFunction", () -> OffHeapCache.builder().hashFunction(null));
    }

    @Test
    void aCapacityAboveTheDirectMemoryLimitFailsAtBuildAndLeaksNothing()
    {
        // surefire runs with -XX:MaxDirectMemorySize=2g
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> OffHeapCache.builder().capacity(3L << 30).build());
        assertTrue(ex.getMessage().startsWith(
            "a cache of capacity=3221225472 needs more off-heap memory than the JVM " +
            "allows: requested=3221225472, available="), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("(raise it with -XX:MaxDirectMemorySize)"), ex.getMessage());

        // nothing leaked, and close frees at once: two 1.2 GiB caches in a row fit under 2 GiB
        for (int i = 0; i < 2; i++)
        {
            try (OffHeapCache big = OffHeapCache.builder().capacity(1200L << 20).build())
            {
                assertTrue(big.put(1L, new byte[10]));
            }
        }
    }
}
