package dev.larder;

import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * One cell of {@link Issue13AdaptiveMisuseTest}, run in a JVM of its own so that a crash or a hang
 * fails that cell and nothing else: a removal listener misbehaves during an eviction made by the
 * {@link EvictionMode#ADAPTIVE} policy, and the scenario prints what it saw, one
 * {@code name: outcome} line per observation, then {@code done} (the format of
 * {@link Issue8MisuseScenario}, whose cells run second chance).
 *
 * <h2>Setup</h2>
 * An adaptive cache of two segments of 1 MiB each (allocations that large are returned to the
 * operating system when freed, so a touch of freed memory faults instead of reading stale bytes).
 * It is filled with distinct keys, the listener not yet armed, until it evicts; then the listener
 * is armed and distinct keys are put until one put's eviction runs it: that put is the
 * <em>operation</em> ({@code op:}). With {@code LARGE} values every value is a large value (above
 * {@code maxInlineEntrySize()}, stored in chunks), so the evictions that run the listener are of
 * chunks and of large values' heads.
 *
 * <h2>Misuses</h2>
 * <ul>
 *   <li>{@code CLOSE}: the listener closes the cache, once; afterwards the scenario checks that the
 *       memory was freed, that later calls are refused and that a second close is harmless.</li>
 *   <li>{@code REENTER}: the listener calls get and put on its own cache, once; both must be
 *       refused, the operation must complete, and the cache must stay intact and usable.</li>
 *   <li>{@code THROW}: the listener throws on every call while a hot set, read between one-hit
 *       keys, makes the policy refuse candidates at the main region's door (admission
 *       rejections); every throw must be counted and the cache must go on.</li>
 * </ul>
 *
 * <p>Usage: {@code java dev.larder.Issue13AdaptiveMisuseScenario AGRONA|JDK <Misuse> SMALL|LARGE}
 */
final class Issue13AdaptiveMisuseScenario
{
    /** What the listener does wrong. */
    enum Misuse
    {
        CLOSE, REENTER, THROW
    }

    /** The values the cache holds while the listener acts. */
    enum Values
    {
        /** 1 KiB values, one record each. */
        SMALL,
        /** Values above the largest record, stored in chunks. */
        LARGE
    }

    private static final long SEED = 13;
    private static final byte[] VALUE = {7, 7, 7, 7};
    /** Puts allowed before a misuse that never fires fails the scenario (instead of looping). */
    private static final int MAX_PUTS = 100_000;

    private final MemoryBackend backend;
    private final Misuse misuse;
    private final Values values;

    private OffHeapCache cache;
    private volatile boolean armed;
    private volatile boolean fired;
    private long nextKey;

    private Issue13AdaptiveMisuseScenario(final MemoryBackend backend, final Misuse misuse, final Values values)
    {
        this.backend = backend;
        this.misuse = misuse;
        this.values = values;
    }

    public static void main(final String[] args)
    {
        final Issue13AdaptiveMisuseScenario scenario = new Issue13AdaptiveMisuseScenario(
            MemoryBackend.valueOf(args[0]), Misuse.valueOf(args[1]), Values.valueOf(args[2]));
        scenario.run();
        print("done", "ok");
        System.exit(0);
    }

    // ----------------------------------------------------------------------------------------------
    // The run
    // ----------------------------------------------------------------------------------------------

    private void run()
    {
        cache = OffHeapCache.builder()
            .capacity(2L << 20)
            .segments(2)
            .eviction(EvictionMode.ADAPTIVE)
            .hashSeed(SEED)
            .memoryBackend(backend)
            .removalListener(this::onRemoval)
            .build();
        print("mode", cache.stats().evictionMode());
        switch (misuse)
        {
            case CLOSE:
                fillUntilEvicting();
                print("op", outcome(this::operation));
                print("fired", fired);
                print("closed", cache.isClosed());
                print("freed", cache.unfreedBytes() == 0);
                print("later", outcome(() -> cache.get(0L)));
                print("close again", outcome(() ->
                {
                    cache.close();
                    return "ok";
                }));
                break;
            case REENTER:
            {
                fillUntilEvicting();
                print("op", outcome(this::operation));
                print("fired", fired);
                print("closed", cache.isClosed());
                print("stored", Arrays.equals(value(nextKey - 1), cache.peek(nextKey - 1)));
                print("listener failures", cache.stats().listenerFailureCount());
                afterwards();
                break;
            }
            case THROW:
                rejectWhileThrowing();
                afterwards();
                break;
            default:
                throw new IllegalArgumentException("misuse=" + misuse);
        }
    }

    /** Checks the cache is intact and usable, closes it, and checks it freed its memory and refuses calls. */
    private void afterwards()
    {
        print("invariants", outcome(() ->
        {
            cache.verifyInvariants();
            return "ok";
        }));
        print("mode after", cache.stats().evictionMode());
        final long key = nextKey++;
        print("usable", cache.put(key, value(key)) && Arrays.equals(value(key), cache.get(key)));
        cache.close();
        print("freed", cache.unfreedBytes() == 0);
        print("later", outcome(() -> cache.get(key)));
    }

    /** Puts distinct keys, the listener not armed, until the cache evicts. */
    private void fillUntilEvicting()
    {
        for (int i = 0; i < MAX_PUTS && cache.stats().evictionCount() == 0; i++)
        {
            final long key = nextKey++;
            cache.put(key, value(key));
        }
        print("evicting", cache.stats().evictionCount() > 0);
    }

    /** Arms the listener and puts distinct keys until an eviction runs it. */
    private Object operation()
    {
        armed = true;
        Object result = null;
        for (int i = 0; !fired && i < MAX_PUTS; i++)
        {
            final long key = nextKey++;
            result = cache.put(key, value(key));
        }
        return result;
    }

    /**
     * Builds frequency on a hot set (read between puts of one-hit keys), then, the listener armed
     * to throw, streams one-hit keys: the policy refuses many at the main region's door.
     */
    private void rejectWhileThrowing()
    {
        final int hot = 500;
        nextKey = 1L << 40;
        for (int round = 0; round < 20; round++)
        {
            for (long key = 0; key < hot; key++)
            {
                if (cache.get(key) == null)
                {
                    cache.put(key, value(key));
                }
                if (key % 4 == 0)
                {
                    final long cold = nextKey++;
                    cache.put(cold, value(cold));
                }
            }
        }
        final CacheStats before = cache.stats();
        armed = true;
        boolean allStored = true;
        for (int i = 0; i < 20_000; i++)
        {
            final long key = nextKey++;
            allStored &= cache.put(key, value(key)) && Arrays.equals(value(key), cache.peek(key));
        }
        armed = false;
        final CacheStats after = cache.stats();
        final long evictions = after.evictionCount() - before.evictionCount();
        final long failures = after.listenerFailureCount() - before.listenerFailureCount();
        print("rejections", after.admissionRejectionCount() > before.admissionRejectionCount());
        print("failures = evictions", failures > 0 && failures == evictions);
        print("puts stored", allStored);
        print("closed", cache.isClosed());
    }

    private byte[] value(final long key)
    {
        final int length = values == Values.SMALL ? 1024 : cache.maxInlineEntrySize() + 4096;
        final byte[] value = new byte[length];
        Arrays.fill(value, (byte)key);
        return value;
    }

    /** The listener: misbehaves once when armed (every time, for THROW). */
    private void onRemoval(final DirectBuffer key, final DirectBuffer value, final RemovalCause cause)
    {
        if (!armed)
        {
            return;
        }
        if (misuse == Misuse.THROW)
        {
            fired = true;
            throw new IllegalStateException("listener bug during an adaptive eviction");
        }
        if (fired)
        {
            return;
        }
        fired = true;
        if (misuse == Misuse.CLOSE)
        {
            print("close", outcome(() ->
            {
                cache.close();
                return "ok";
            }));
        }
        else
        {
            print("get", outcome(() -> cache.get(0L)));
            print("put", outcome(() -> cache.put(1L, VALUE)));
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Output
    // ----------------------------------------------------------------------------------------------

    /** A call whose outcome is printed. */
    @FunctionalInterface
    private interface Call
    {
        Object run() throws Exception;
    }

    private static String outcome(final Call call)
    {
        try
        {
            final Object result = call.run();
            return result instanceof byte[] ? Arrays.toString((byte[])result) : String.valueOf(result);
        }
        catch (final Exception ex)
        {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    private static void print(final String name, final Object outcome)
    {
        System.out.println(name + ": " + outcome);
        System.out.flush();
    }
}
