package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.larder.Issue8MisuseScenario.Callback;
import dev.larder.Issue8MisuseScenario.Misuse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, section 1: no misuse of a callback can crash, hang or corrupt the cache. Every kind of
 * user code the cache runs (removal listener, ValueReader, compute function, codec encode and
 * decode, Ticker on the lock-free and the locked path, loader, async loader, iteration decode)
 * meets every misuse (close from inside it, a call into its own segment, a call into another
 * segment, a view kept past the callback, and, for callbacks under a lock, two threads each
 * calling into the other's segment from inside its callback), on both memory backends. Since issue
 * 11 the reader, encode and decode also run over a large value (several chunks, assembled outside
 * any lock, then handed to the callback under the head's segment lock).
 *
 * <p>Each cell runs {@link Issue8MisuseScenario} in a JVM of its own: a crash (SIGSEGV) is a
 * non-zero exit and a hang is a fork killed after {@value #TIMEOUT_SECONDS} s, either of which
 * fails that cell only. The test compares the fork's whole output with what the rules promise:
 * the exception each misuse meets, word for word, that the cache ends up closed with its memory
 * freed (or open and intact: {@code verifyInvariants}), and that every later call throws
 * {@code IllegalStateException("cache is closed")}.
 *
 * <p>The class forks both backends itself, so it runs in one surefire execution only: the
 * {@code jdk-backend} execution excludes it in {@code pom.xml}, and the condition below skips it
 * there when {@code -Dtest} overrides the exclusion.
 */
@DisabledIfSystemProperty(named = "larder.test.expectedBackend", matches = "JDK")
class Issue8MisuseTest
{
    private static final long TIMEOUT_SECONDS = 30;

    private static final String REENTRY =
        "IllegalStateException: the cache must not be called from its own callbacks: callback=";
    private static final String CLOSED_BY_CALLBACK =
        "IllegalStateException: cache is closed: close() was called from one of its callbacks during this call: " +
        "callback=";
    private static final String NESTED_LOAD = "IllegalStateException: a loader must not call get(key, loader) or " +
        "getAsync on its own cache: the nested load could wait for the load that runs it";
    private static final String CLOSED = "IllegalStateException: cache is closed";
    private static final String VIEW_NO_ADDRESS = "UnsupportedOperationException: a view of cache memory has no " +
        "address and cannot be wrapped: it is valid only during its callback";
    private static final String VIEW_EMPTIED = "IndexOutOfBoundsException: index=0 length=1 capacity=0";

    static Stream<Arguments> cells()
    {
        final List<Arguments> cells = new ArrayList<>();
        for (final MemoryBackend backend : List.of(MemoryBackend.AGRONA, MemoryBackend.JDK))
        {
            for (final Callback callback : Callback.values())
            {
                for (final Misuse misuse : Misuse.values())
                {
                    if (callback.meets(misuse))
                    {
                        cells.add(Arguments.of(backend, callback, misuse));
                    }
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} backend, {1}, {2}")
    @MethodSource("cells")
    void aMisbehavingCallbackNeitherCrashesNorHangsNorCorrupts(
        final MemoryBackend backend, final Callback callback, final Misuse misuse, @TempDir final Path dir)
        throws IOException, InterruptedException
    {
        final MisuseFork fork = MisuseFork.run(dir, backend, TIMEOUT_SECONDS, Issue8MisuseScenario.class,
            backend.name(), callback.name(), misuse.name());
        assertFalse(fork.timedOut, () -> "the fork hung and was killed after " + TIMEOUT_SECONDS + " s\n" + fork);
        assertEquals(0, fork.exitCode, () -> "the fork crashed or failed\n" + fork);
        assertEquals(String.join("\n", expected(callback, misuse)), String.join("\n", fork.stdout), fork::toString);
    }

    // ----------------------------------------------------------------------------------------------
    // What the rules promise
    // ----------------------------------------------------------------------------------------------

    private static List<String> expected(final Callback callback, final Misuse misuse)
    {
        final List<String> lines = new ArrayList<>();
        switch (misuse)
        {
            case CLOSE:
                lines.add("close: ok");
                lines.add("op: " + (isLoader(callback) ? CLOSED : CLOSED_BY_CALLBACK + name(callback)));
                lines.add("fired: true");
                lines.add("closed: true");
                lines.add("freed: true");
                lines.add("later: " + CLOSED);
                lines.add("close again: ok");
                break;
            case SAME_SEGMENT:
            case OTHER_SEGMENT:
                if (isLoader(callback))
                {
                    lines.add("load: " + NESTED_LOAD);
                }
                else
                {
                    lines.add("get: " + REENTRY + name(callback));
                    lines.add("put: " + REENTRY + name(callback));
                }
                lines.add("op: " + result(callback));
                lines.add("fired: true");
                lines.add("closed: false");
                lines.add("invariants: ok");
                lines.add("later: " + CLOSED);
                break;
            case KEPT_VIEW:
                lines.add("byteBuffer: null");
                lines.add("byteArray: null");
                lines.add("wrap: " + VIEW_NO_ADDRESS);
                lines.add("op: " + result(callback));
                lines.add("fired: true");
                lines.add("view after callback: " + VIEW_EMPTIED);
                lines.add("invariants: ok");
                lines.add("view after close: " + VIEW_EMPTIED);
                lines.add("later: " + CLOSED);
                break;
            case OTHER_SEGMENT_BOTH_WAYS:
                for (int segment = 0; segment < 2; segment++)
                {
                    lines.add("put from segment " + segment + ": " + REENTRY + name(callback));
                    lines.add("op in segment " + segment + ": " + result(callback));
                }
                lines.add("fired: true");
                lines.add("closed: false");
                lines.add("invariants: ok");
                lines.add("later: " + CLOSED);
                break;
            default:
                throw new IllegalArgumentException("misuse=" + misuse);
        }
        lines.add("done: ok");
        return lines;
    }

    private static boolean isLoader(final Callback callback)
    {
        return callback == Callback.LOADER || callback == Callback.ASYNC_LOADER;
    }

    /** The callback's name in the cache's messages. */
    private static String name(final Callback callback)
    {
        switch (callback)
        {
            case LISTENER:
                return "RemovalListener";
            case READER:
            case DECODE:
            case LARGE_READER:
            case LARGE_DECODE:
                return "ValueReader or Codec.decode";
            case REMAPPER:
                return "compute function";
            case ENCODE:
            case LARGE_ENCODE:
                return "Codec.encode";
            case TICKER_LOCK_FREE:
            case TICKER_LOCKED:
                return "Ticker";
            case ITERATION:
                return "Codec.decode";
            default:
                throw new IllegalArgumentException("callback=" + callback);
        }
    }

    /** What the operation returns when the callback's misuse is refused and it carries on. */
    private static String result(final Callback callback)
    {
        switch (callback)
        {
            case LISTENER:
            case ENCODE:
            case TICKER_LOCKED:
            case LARGE_ENCODE:
                return "true";
            case READER:
                return "read 7";
            case LARGE_READER:
                return "read 7 of 614400";
            case LARGE_DECODE:
                return "614400";
            case REMAPPER:
                return "102400";
            case ITERATION:
                return "[[7, 7, 7, 7]]";
            default:
                return "[7, 7, 7, 7]";
        }
    }
}
