package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.larder.Issue13AdaptiveMisuseScenario.Misuse;
import dev.larder.Issue13AdaptiveMisuseScenario.Values;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13: a misbehaving removal listener during an eviction of the {@link EvictionMode#ADAPTIVE}
 * policy (window, door, probation, protected, compaction; {@link Issue8MisuseTest} covers second
 * chance) neither crashes, hangs nor corrupts the cache, on both memory backends, with small values
 * and with large values (stored in chunks):
 * <ul>
 *   <li>a listener that closes the cache: the put that ran it throws the closed-by-a-callback
 *       exception, the cache is closed and its memory freed, later calls say "cache is closed", and
 *       closing again is harmless;</li>
 *   <li>a listener that calls get and put on its own cache: each call is refused with the re-entry
 *       exception, the put that ran it completes and stored its value, the invariants hold, and the
 *       cache stays usable and adaptive;</li>
 *   <li>a listener that throws while the policy refuses candidates at the door (admission
 *       rejections): every throw is counted in {@code listenerFailureCount}, every put is stored
 *       and readable, and the cache goes on.</li>
 * </ul>
 *
 * <p>Each cell runs {@link Issue13AdaptiveMisuseScenario} in a JVM of its own: a crash (SIGSEGV) is
 * a non-zero exit and a hang is a fork killed after {@value #TIMEOUT_SECONDS} s, either of which
 * fails that cell only. The test compares the fork's whole output with what the rules promise,
 * word for word (the messages of {@link Issue8MisuseTest}). The class forks both backends itself,
 * so it runs in the default surefire execution only (skipped in {@code jdk-backend}).
 */
@DisabledIfSystemProperty(named = "larder.test.expectedBackend", matches = "JDK")
class Issue13AdaptiveMisuseTest
{
    private static final long TIMEOUT_SECONDS = 30;

    private static final String LISTENER = "RemovalListener";
    private static final String REENTRY =
        "IllegalStateException: the cache must not be called from its own callbacks: callback=";
    private static final String CLOSED_BY_CALLBACK =
        "IllegalStateException: cache is closed: close() was called from one of its callbacks during this call: " +
        "callback=";
    private static final String CLOSED = "IllegalStateException: cache is closed";

    static Stream<Arguments> cells()
    {
        final List<Arguments> cells = new ArrayList<>();
        for (final MemoryBackend backend : List.of(MemoryBackend.AGRONA, MemoryBackend.JDK))
        {
            for (final Misuse misuse : Misuse.values())
            {
                for (final Values values : Values.values())
                {
                    // the door needs a hot set of small entries; the throwing listener runs with those only.
                    // CLOSE with LARGE values is the known bug below
                    if (values == Values.SMALL || misuse == Misuse.REENTER)
                    {
                        cells.add(Arguments.of(backend, misuse, values));
                    }
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} backend, {1}, {2} values")
    @MethodSource("cells")
    void aMisbehavingListenerDuringAnAdaptiveEvictionNeitherCrashesNorHangsNorCorrupts(
        final MemoryBackend backend, final Misuse misuse, final Values values, @TempDir final Path dir)
        throws IOException, InterruptedException
    {
        final MisuseFork fork = MisuseFork.run(dir, backend, TIMEOUT_SECONDS, Issue13AdaptiveMisuseScenario.class,
            backend.name(), misuse.name(), values.name());
        assertFalse(fork.timedOut, () -> "the fork hung and was killed after " + TIMEOUT_SECONDS + " s\n" + fork);
        assertEquals(0, fork.exitCode, () -> "the fork crashed or failed\n" + fork);
        assertEquals(String.join("\n", expected(misuse)), String.join("\n", fork.stdout), fork::toString);
    }

    /**
     * Known bug (found by this test, not fixed here): a listener that closes the cache during an
     * eviction made by a chunk of a large value's put. The put's chunk write throws the documented
     * closed-by-a-callback exception, but {@code LargeValues.put}'s {@code finally} then removes
     * the put's orphaned chunks on the closed cache, and {@code Segment.removeChunk} throws a plain
     * {@code IllegalStateException("cache is closed")} that replaces it: the caller never learns
     * that its own callback closed the cache (RemovalListener's javadoc promises
     * {@code "cache is closed: ..."}). Nothing crashes and the memory is freed. Enable once fixed.
     */
    @ParameterizedTest(name = "{0} backend")
    @EnumSource(value = MemoryBackend.class, names = {"AGRONA", "JDK"})
    void aListenerClosingTheCacheDuringALargePutGetsTheClosedByACallbackException(
        final MemoryBackend backend, @TempDir final Path dir) throws IOException, InterruptedException
    {
        final MisuseFork fork = MisuseFork.run(dir, backend, TIMEOUT_SECONDS, Issue13AdaptiveMisuseScenario.class,
            backend.name(), Misuse.CLOSE.name(), Values.LARGE.name());
        assertFalse(fork.timedOut, () -> "the fork hung and was killed after " + TIMEOUT_SECONDS + " s\n" + fork);
        assertEquals(0, fork.exitCode, () -> "the fork crashed or failed\n" + fork);
        assertEquals(String.join("\n", expected(Misuse.CLOSE)), String.join("\n", fork.stdout), fork::toString);
    }

    /** What the rules promise. */
    private static List<String> expected(final Misuse misuse)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("mode: ADAPTIVE");
        switch (misuse)
        {
            case CLOSE:
                lines.add("evicting: true");
                lines.add("close: ok");
                lines.add("op: " + CLOSED_BY_CALLBACK + LISTENER);
                lines.add("fired: true");
                lines.add("closed: true");
                lines.add("freed: true");
                lines.add("later: " + CLOSED);
                lines.add("close again: ok");
                break;
            case REENTER:
                lines.add("evicting: true");
                lines.add("get: " + REENTRY + LISTENER);
                lines.add("put: " + REENTRY + LISTENER);
                lines.add("op: true");
                lines.add("fired: true");
                lines.add("closed: false");
                lines.add("stored: true");
                lines.add("listener failures: 0");
                afterwards(lines);
                break;
            case THROW:
                lines.add("rejections: true");
                lines.add("failures = evictions: true");
                lines.add("puts stored: true");
                lines.add("closed: false");
                afterwards(lines);
                break;
            default:
                throw new IllegalArgumentException("misuse=" + misuse);
        }
        lines.add("done: ok");
        return lines;
    }

    /** The cache intact, usable and still adaptive; then closed, freed and refusing calls. */
    private static void afterwards(final List<String> lines)
    {
        lines.add("invariants: ok");
        lines.add("mode after: ADAPTIVE");
        lines.add("usable: true");
        lines.add("freed: true");
        lines.add("later: " + CLOSED);
    }
}
