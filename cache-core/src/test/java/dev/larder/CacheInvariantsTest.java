package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.internal.Segment;
import java.lang.reflect.Field;
import java.util.List;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The invariant checks that run around every test: a broken segment fails the test with the invariant's message. */
class CacheInvariantsTest
{
    private static final String BROKEN = "counters disagree: live=2, liveRecords=1, indexed=1";

    /** Breaks the segment's live counter (the cheapest invariant to break), then mends it. */
    private static void addToLiveCount(final OffHeapCache cache, final int delta) throws ReflectiveOperationException
    {
        final Field live = Segment.class.getDeclaredField("live");
        live.setAccessible(true);
        final Segment segment = cache.segments()[0];
        synchronized (segment)
        {
            live.setInt(segment, live.getInt(segment) + delta);
        }
    }

    private static OffHeapCache oneEntry()
    {
        final OffHeapCache cache = OffHeapCache.builder().capacity(8192).segments(1).build();
        assertTrue(cache.put(1L, new byte[] {1}));
        return cache;
    }

    @Test
    void aBrokenInvariantFailsTheCloseBeforeAnythingIsFreed() throws ReflectiveOperationException
    {
        final OffHeapCache cache = oneEntry();
        addToLiveCount(cache, 1);
        final AssertionError error = assertThrows(AssertionError.class, cache::close);
        assertEquals("segment invariants broken at close: " + BROKEN, error.getMessage());
        assertEquals(1, cache.get(1L)[0], "still open and readable");
        addToLiveCount(cache, -1);
        cache.close();
        assertTrue(cache.isClosed());
    }

    @Test
    void aBrokenInvariantInACacheLeftOpenFailsTheTest() throws ReflectiveOperationException
    {
        final OffHeapCache cache = oneEntry();
        addToLiveCount(cache, 1);
        assertEquals(List.of("segment invariants broken in an open " + cache + ": " + BROKEN),
            CacheInvariants.checkOpenCaches());
        addToLiveCount(cache, -1);
        cache.close();
    }

    /** Also shows that InvariantsExtension is registered (by autodetection): it read the annotation. */
    @Test
    @SkipInvariantCheck("checks that an opted-out test is not checked: it closes a broken cache")
    void aTestCanOptOut() throws ReflectiveOperationException
    {
        assertTrue(!CacheInvariants.enabled(), "InvariantsExtension turned the checks off for this test");
        final OffHeapCache cache = oneEntry();
        addToLiveCount(cache, 1);
        cache.close();
        assertTrue(cache.isClosed());
    }

    @Test
    void aCloseFromInsideACallbackIsNotChecked()
    {
        try (OffHeapCache cache = oneEntry())
        {
            // a remapper runs under the segment lock, mid-write: the segment cannot be checked from there
            cache.compute(1L, current -> {
                OffHeapCache.closeHook.accept(cache);
                return current;
            });
        }
    }

    /** Shows that InvariantsPropertyHook is registered: it read the annotation. */
    @Property(tries = 1)
    @SkipInvariantCheck("checks that jqwik properties can opt out too")
    void jqwikPropertiesAreCheckedToo()
    {
        assertTrue(!CacheInvariants.enabled(), "InvariantsPropertyHook is registered as a jqwik lifecycle hook");
    }
}
