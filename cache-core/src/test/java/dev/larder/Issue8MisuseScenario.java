package dev.larder;

import dev.larder.codec.Buffers;
import dev.larder.codec.Codec;
import dev.larder.codec.Codecs;
import dev.larder.internal.Segment;
import dev.larder.internal.SegmentStat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One cell of {@link Issue8MisuseTest}, run in a JVM of its own so that a crash or a hang fails
 * that cell and nothing else: one callback the cache runs misbehaves in one way, and the scenario
 * prints what it saw, one {@code name: outcome} line per observation, then {@code done}.
 *
 * <h2>Setup</h2>
 * A cache of two segments of 1 MiB each (allocations that large are returned to the operating
 * system when freed, so a touch of freed memory faults instead of reading stale bytes). Keys are
 * sorted into segments by watching which segment's entry count a probe {@code put} raises, so the
 * scenario does not depend on the hash function. The callback acts once, on the first call after
 * it is armed; the call that ran it is the <em>operation</em> ({@code op:}).
 *
 * <h2>Misuses</h2>
 * <ul>
 *   <li>{@code CLOSE}: the callback closes the cache, then carries on as callbacks do (a reader
 *       reads its view, a codec writes its bytes, a compute function returns a value); afterwards
 *       the scenario checks that the memory was freed, not leaked.</li>
 *   <li>{@code SAME_SEGMENT} / {@code OTHER_SEGMENT}: the callback reads and writes a key of the
 *       segment it runs in / of the other segment; a loader loads such a key instead (the same
 *       key, for the same segment).</li>
 *   <li>{@code KEPT_VIEW}: the callback keeps its view, the view's {@code byteBuffer()} and a
 *       buffer wrapped over the view, and the scenario uses them after the callback and after
 *       close.</li>
 * </ul>
 *
 * <p>Usage: {@code java dev.larder.Issue8MisuseScenario AGRONA|JDK <Callback> <Misuse>}
 */
final class Issue8MisuseScenario
{
    /** Every kind of user code the cache runs, with the operation that runs it. */
    enum Callback
    {
        /** A removal listener, run by an eviction during a put. */
        LISTENER(true),
        /** A ValueReader, run by read(key, reader). */
        READER(true),
        /** A byte-level compute function (it gets a copy, not a view). */
        REMAPPER(false),
        /** A value codec's encode, run by a typed put. */
        ENCODE(true),
        /** A value codec's decode, run by a typed get. */
        DECODE(true),
        /** A custom Ticker, run by a lock-free get of an entry with a time to live. */
        TICKER_LOCK_FREE(false),
        /** A custom Ticker, run by a put with a time to live (under the segment lock). */
        TICKER_LOCKED(false),
        /** A loader, run by get(key, loader). */
        LOADER(false),
        /** A loader, run by getAsync(key, loader, executor) on the executor's thread. */
        ASYNC_LOADER(false),
        /** A value codec's decode, run by iteration. */
        ITERATION(true);

        final boolean hasView;

        Callback(final boolean hasView)
        {
            this.hasView = hasView;
        }
    }

    /** What the callback does wrong. */
    enum Misuse
    {
        CLOSE, SAME_SEGMENT, OTHER_SEGMENT, KEPT_VIEW
    }

    private static final long SEED = 8;
    private static final int BIG_VALUE = 100 * 1024;
    private static final byte[] VALUE = {7, 7, 7, 7};

    private final MemoryBackend backend;
    private final Callback callback;
    private final Misuse misuse;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "loader");
        thread.setDaemon(true);
        return thread;
    });

    private OffHeapCache bytes;
    private Cache<Long, byte[]> typed;
    private volatile boolean armed;
    private volatile boolean fired;
    private final List<Long> segmentZero = new ArrayList<>();
    private long entryKey;
    private long otherKey;

    private DirectBuffer keptView;
    private ByteBuffer keptBuffer;
    private MutableDirectBuffer keptWrap;

    private Issue8MisuseScenario(final MemoryBackend backend, final Callback callback, final Misuse misuse)
    {
        this.backend = backend;
        this.callback = callback;
        this.misuse = misuse;
    }

    public static void main(final String[] args)
    {
        final Issue8MisuseScenario scenario = new Issue8MisuseScenario(
            MemoryBackend.valueOf(args[0]), Callback.valueOf(args[1]), Misuse.valueOf(args[2]));
        scenario.run();
        print("done", "ok");
        System.exit(0);
    }

    // ----------------------------------------------------------------------------------------------
    // The run
    // ----------------------------------------------------------------------------------------------

    private void run()
    {
        build();
        chooseKeys();
        print("op", outcome(this::operation));
        print("fired", fired);
        switch (misuse)
        {
            case CLOSE:
                print("closed", bytes.isClosed());
                print("freed", bytes.unfreedBytes() == 0);
                print("later", outcome(() -> bytes.get(entryKey)));
                print("close again", outcome(() ->
                {
                    bytes.close();
                    return "ok";
                }));
                break;
            case KEPT_VIEW:
                useKeptView("after callback");
                print("invariants", outcome(this::verifyInvariants));
                bytes.close();
                useKeptView("after close");
                print("later", outcome(() -> bytes.get(entryKey)));
                break;
            default:
                print("closed", bytes.isClosed());
                print("invariants", outcome(this::verifyInvariants));
                bytes.close();
                print("later", outcome(() -> bytes.get(entryKey)));
                break;
        }
    }

    private void build()
    {
        final OffHeapCacheBuilder builder = OffHeapCache.builder()
            .capacity(2L << 20)
            .segments(2)
            .hashSeed(SEED)
            .memoryBackend(backend);
        if (callback == Callback.LISTENER)
        {
            builder.removalListener((key, value, cause) -> fire(value));
        }
        if (callback == Callback.TICKER_LOCK_FREE || callback == Callback.TICKER_LOCKED)
        {
            builder.ticker(() ->
            {
                fire(null);
                return 1_000_000_000L;
            });
        }
        typed = builder.build(Codecs.longs(), new MisbehavingCodec());
        bytes = typed.bytes();
    }

    /** Sorts keys into the two segments while the cache is empty and nothing is armed. */
    private void chooseKeys()
    {
        final List<Long> segmentOne = new ArrayList<>();
        for (long key = 1; segmentZero.size() < 16 || segmentOne.isEmpty(); key++)
        {
            (segmentOf(key) == 0 ? segmentZero : segmentOne).add(key);
        }
        entryKey = segmentZero.get(0);
        otherKey = segmentOne.get(0);
    }

    private int segmentOf(final long key)
    {
        bytes.put(key, VALUE);
        int segment = -1;
        final Segment[] segments = bytes.segments();
        for (int i = 0; i < segments.length; i++)
        {
            final long[] totals = new long[SegmentStat.values().length];
            segments[i].addStatsTo(totals);
            if (totals[SegmentStat.ENTRIES.ordinal()] > 0)
            {
                segment = i;
            }
        }
        bytes.remove(key);
        return segment;
    }

    /** Arms the callback and runs the operation that runs it. */
    private Object operation() throws Exception
    {
        switch (callback)
        {
            case LISTENER:
            {
                // the oldest entry is evicted first; fill its segment until an eviction happens
                armed = true;
                Object result = null;
                for (int i = 0; !fired && i < segmentZero.size(); i++)
                {
                    result = bytes.put(segmentZero.get(i), new byte[BIG_VALUE]);
                }
                return result;
            }
            case READER:
                bytes.put(entryKey, VALUE);
                armed = true;
                return bytes.read(entryKey, view ->
                {
                    fire(view);
                    return "read " + view.getByte(0);
                });
            case REMAPPER:
                bytes.put(entryKey, VALUE);
                armed = true;
                return bytes.compute(entryKey, old ->
                {
                    fire(null);
                    return new byte[BIG_VALUE];
                }).length;
            case ENCODE:
                armed = true;
                return typed.put(entryKey, VALUE);
            case DECODE:
                typed.put(entryKey, VALUE);
                armed = true;
                return typed.get(entryKey);
            case TICKER_LOCK_FREE:
                bytes.put(entryKey, VALUE, Duration.ofHours(1));
                armed = true;
                return bytes.get(entryKey);
            case TICKER_LOCKED:
                armed = true;
                return bytes.put(entryKey, VALUE, Duration.ofHours(1));
            case LOADER:
                armed = true;
                return typed.get(entryKey, key ->
                {
                    fire(null);
                    return VALUE;
                });
            case ASYNC_LOADER:
                armed = true;
                return typed.getAsync(entryKey, key ->
                {
                    fire(null);
                    return VALUE;
                }, executor).join();
            case ITERATION:
            {
                typed.put(entryKey, VALUE);
                armed = true;
                final List<String> seen = new ArrayList<>();
                for (final CacheEntry<Long, byte[]> entry : typed.entries())
                {
                    seen.add(Arrays.toString(entry.value()));
                }
                return seen;
            }
            default:
                throw new IllegalArgumentException("callback=" + callback);
        }
    }

    /** The misbehaviour, run once by the armed callback; {@code view} is null for callbacks without one. */
    private void fire(final DirectBuffer view)
    {
        if (!armed)
        {
            return;
        }
        armed = false;
        fired = true;
        switch (misuse)
        {
            case CLOSE:
                print("close", outcome(() ->
                {
                    bytes.close();
                    return "ok";
                }));
                break;
            case SAME_SEGMENT:
                callTheCache(segmentZero.get(1), entryKey);
                break;
            case OTHER_SEGMENT:
                callTheCache(otherKey, otherKey);
                break;
            case KEPT_VIEW:
                keep(view);
                break;
            default:
                throw new IllegalArgumentException("misuse=" + misuse);
        }
    }

    /** Calls the cache from inside the callback: plain calls, or a nested load from a loader. */
    private void callTheCache(final long key, final long loadKey)
    {
        if (callback == Callback.LOADER)
        {
            print("load", outcome(() -> typed.get(loadKey, k -> VALUE)));
        }
        else if (callback == Callback.ASYNC_LOADER)
        {
            print("load", outcome(() -> typed.getAsync(loadKey, k -> VALUE, executor).join()));
        }
        else
        {
            print("get", outcome(() -> bytes.get(key)));
            print("put", outcome(() -> bytes.put(key, VALUE)));
        }
    }

    private void keep(final DirectBuffer view)
    {
        keptView = view;
        keptBuffer = view.byteBuffer();
        print("byteBuffer", keptBuffer == null ? "null" : "a buffer of " + keptBuffer.capacity() + " bytes, " +
            (keptBuffer.isReadOnly() ? "read-only" : "writable"));
        print("byteArray", view.byteArray() == null ? "null" : "an array of " + view.byteArray().length + " bytes");
        print("wrap", outcome(() ->
        {
            final MutableDirectBuffer wrapper = Buffers.wrap(new byte[1]);
            wrapper.wrap(view);
            keptWrap = wrapper;
            return "ok";
        }));
    }

    private void useKeptView(final String when)
    {
        print("view " + when, outcome(() -> keptView.getByte(0)));
        if (keptBuffer != null)
        {
            print("byteBuffer write " + when, outcome(() ->
            {
                keptBuffer.put(0, (byte)0x55);
                return "ok";
            }));
            print("byteBuffer read " + when, outcome(() -> keptBuffer.get(keptBuffer.capacity() / 2)));
        }
        if (keptWrap != null)
        {
            print("wrapped read " + when, outcome(() -> keptWrap.getByte(keptWrap.capacity() - 1)));
        }
    }

    private Object verifyInvariants()
    {
        bytes.verifyInvariants();
        return "ok";
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
        catch (final CompletionException ex)
        {
            return describe(ex.getCause());
        }
        catch (final Exception ex)
        {
            return describe(ex);
        }
    }

    private static String describe(final Throwable ex)
    {
        return ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    private static void print(final String name, final Object outcome)
    {
        System.out.println(name + ": " + outcome);
        System.out.flush();
    }

    /** byte[] values through a codec that misbehaves when its callback is armed. */
    private final class MisbehavingCodec implements Codec<byte[]>
    {
        @Override
        public int encodedLength(final byte[] value)
        {
            return value.length;
        }

        @Override
        public void encode(final byte[] value, final MutableDirectBuffer buffer, final int offset)
        {
            if (callback == Callback.ENCODE)
            {
                fire(buffer);
            }
            buffer.putBytes(offset, value);
        }

        @Override
        public byte[] decode(final DirectBuffer buffer, final int offset, final int length)
        {
            if (callback == Callback.DECODE || callback == Callback.ITERATION)
            {
                fire(buffer);
            }
            final byte[] value = new byte[length];
            buffer.getBytes(offset, value);
            return value;
        }
    }
}
