package dev.larder;

import dev.larder.internal.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the segment invariants ({@link OffHeapCache#verifyInvariants()}: ring and index agree,
 * counters match, seqlock version even) of every cache a test builds, through the package-private
 * hooks of {@link OffHeapCache}:
 * <ul>
 *   <li>at {@code close()}, before any memory is freed: a broken invariant makes {@code close()}
 *       throw an {@link AssertionError} with the invariant's message, so the test that closes the
 *       cache fails (in try-with-resources too);</li>
 *   <li>after each test, for the caches it built and left open ({@link #checkOpenCaches()}).</li>
 * </ul>
 * Installed for every test by {@link InvariantsExtension} (JUnit Jupiter) and
 * {@link InvariantsPropertyHook} (jqwik), both registered automatically; a test opts out with
 * {@link SkipInvariantCheck}. Tests run one at a time, so one switch serves them all.
 *
 * <p>Not checked: a close called by a thread that holds a segment lock (from a listener, reader or
 * remapper: the segment is in the middle of a call), and a second close.
 */
final class CacheInvariants
{
    /** Caches built and not yet closed, since the last {@link #checkOpenCaches()}. */
    private static final Set<OffHeapCache> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean enabled = true;

    static
    {
        OffHeapCache.buildHook = OPEN::add;
        OffHeapCache.closeHook = CacheInvariants::beforeClose;
    }

    private CacheInvariants()
    {
    }

    /**
     * Installs the hooks, when this is the first call into this class, and turns the checks on or off.
     *
     * @param on whether the running test is checked (false for a {@link SkipInvariantCheck} test)
     */
    static void enable(final boolean on)
    {
        enabled = on;
    }

    static boolean enabled()
    {
        return enabled;
    }

    private static void beforeClose(final OffHeapCache cache)
    {
        OPEN.remove(cache);
        if (!enabled || cache.isClosed() || holdsASegmentLock(cache))
        {
            return;
        }
        final String broken = brokenInvariant(cache);
        if (broken != null)
        {
            throw new AssertionError("segment invariants broken at close: " + broken);
        }
    }

    /**
     * Checks the caches built since the last call and still open (and forgets them all).
     *
     * @return one line per cache whose invariants are broken; empty when all hold or checks are off
     */
    static List<String> checkOpenCaches()
    {
        final List<String> failures = new ArrayList<>();
        for (final OffHeapCache cache : OPEN)
        {
            OPEN.remove(cache);
            final String broken = enabled && !cache.isClosed() ? brokenInvariant(cache) : null;
            if (broken != null)
            {
                failures.add("segment invariants broken in an open " + cache + ": " + broken);
            }
        }
        return failures;
    }

    /** Throws the failures of {@link #checkOpenCaches()}, if any. */
    static void assertOpenCachesHold()
    {
        final List<String> failures = checkOpenCaches();
        if (!failures.isEmpty())
        {
            throw new AssertionError(String.join("\n", failures));
        }
    }

    /** @return the broken invariant's message, or null when every segment's invariants hold */
    private static String brokenInvariant(final OffHeapCache cache)
    {
        try
        {
            cache.verifyInvariants();
            return null;
        }
        catch (final IllegalStateException ex)
        {
            // a close racing this check wins: the cache is gone, there is nothing left to check
            return "cache is closed".equals(ex.getMessage()) ? null : ex.getMessage();
        }
    }

    private static boolean holdsASegmentLock(final OffHeapCache cache)
    {
        for (final Segment segment : cache.segments())
        {
            if (Thread.holdsLock(segment))
            {
                return true;
            }
        }
        return false;
    }
}
