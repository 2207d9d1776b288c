package dev.larder;

import dev.larder.codec.Codec;
import dev.larder.codec.Codecs;
import dev.larder.internal.Segment;
import dev.larder.internal.SegmentStat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * scenario does not depend on the hash function. The callback acts once (once per thread), on the
 * first call after it is armed; the call that ran it is the <em>operation</em> ({@code op:}).
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
 *   <li>{@code OTHER_SEGMENT_BOTH_WAYS}, for callbacks that run under a segment lock: two threads
 *       run the operation at once, one per segment; once both are inside their callbacks (a
 *       barrier), each writes a key of the other's segment: a certain deadlock unless refused.</li>
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
        LISTENER(true, true),
        /** A ValueReader, run by read(key, reader). */
        READER(true, true),
        /** A byte-level compute function (it gets a copy, not a view). */
        REMAPPER(false, true),
        /** A value codec's encode, run by a typed put. */
        ENCODE(true, true),
        /** A value codec's decode, run by a typed get. */
        DECODE(true, true),
        /** A custom Ticker, run by a lock-free get of an entry with a time to live. */
        TICKER_LOCK_FREE(false, false),
        /** A custom Ticker, run by a put with a time to live (under the segment lock). */
        TICKER_LOCKED(false, true),
        /** A loader, run by get(key, loader). */
        LOADER(false, false),
        /** A loader, run by getAsync(key, loader, executor) on the executor's thread. */
        ASYNC_LOADER(false, false),
        /** A value codec's decode, run by iteration. */
        ITERATION(true, false),
        /** A ValueReader of a large value (issue 11): read(key, reader) of a value in several chunks. */
        LARGE_READER(true, true),
        /** A value codec's encode of a large value (issue 11), run by a typed put. */
        LARGE_ENCODE(true, true),
        /** A value codec's decode of a large value (issue 11), run by a typed get. */
        LARGE_DECODE(true, true);

        final boolean hasView;
        final boolean underLock;

        Callback(final boolean hasView, final boolean underLock)
        {
            this.hasView = hasView;
            this.underLock = underLock;
        }

        /** @return whether this scenario applies: a view to keep, a lock to deadlock on */
        boolean meets(final Misuse misuse)
        {
            return misuse == Misuse.KEPT_VIEW ? hasView : misuse != Misuse.OTHER_SEGMENT_BOTH_WAYS || underLock;
        }
    }

    /** What the callback does wrong. */
    enum Misuse
    {
        CLOSE, SAME_SEGMENT, OTHER_SEGMENT, KEPT_VIEW, OTHER_SEGMENT_BOTH_WAYS
    }

    private static final long SEED = 8;
    private static final int BIG_VALUE = 100 * 1024;
    private static final byte[] VALUE = {7, 7, 7, 7};
    /** A value of several chunks: above a segment's largest record (about 256 KiB here). */
    private static final byte[] LARGE_VALUE = new byte[600 * 1024];

    static
    {
        Arrays.fill(LARGE_VALUE, (byte)7);
    }

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
    /** Threads whose callback has acted: each acts once. */
    private final Set<Thread> acted = ConcurrentHashMap.newKeySet();
    private final List<Long> segmentZero = new ArrayList<>();
    private final List<Long> segmentOne = new ArrayList<>();
    private long entryKey;
    private long otherKey;

    /** OTHER_SEGMENT_BOTH_WAYS: where each thread's callback writes, and what it met. */
    private final ThreadLocal<Long> crossTarget = new ThreadLocal<>();
    private final CyclicBarrier bothInside = new CyclicBarrier(2);
    private final String[] crossCalls = new String[2];

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
        if (misuse == Misuse.OTHER_SEGMENT_BOTH_WAYS)
        {
            bothWays();
        }
        else
        {
            print("op", outcome(() -> operation(segmentZero)));
        }
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
        // second chance: its records reach a quarter of the ring, so BIG_VALUE is one record and 16
        // of them fill a segment (Issue13AdaptiveMisuseTest covers the adaptive policy's callbacks)
        final OffHeapCacheBuilder builder = OffHeapCache.builder()
            .capacity(2L << 20)
            .segments(2)
            .eviction(EvictionMode.SECOND_CHANCE)
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
        for (long key = 1; segmentZero.size() < 16 || segmentOne.size() < 16; key++)
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

    /** Runs the operation in two threads at once, one per segment, each callback aimed at the other segment. */
    private void bothWays()
    {
        final String[] ops = new String[2];
        final List<List<Long>> keys = List.of(segmentZero, segmentOne);
        final Thread[] threads = new Thread[2];
        for (int i = 0; i < 2; i++)
        {
            final int segment = i;
            threads[i] = new Thread(() ->
            {
                crossTarget.set(keys.get(1 - segment).get(1));
                ops[segment] = outcome(() -> operation(keys.get(segment)));
            }, "segment-" + i);
        }
        for (final Thread thread : threads)
        {
            thread.start();
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        for (int i = 0; i < 2; i++)
        {
            print("put from segment " + i, crossCalls[i]);
            print("op in segment " + i, ops[i]);
        }
    }

    /** Arms the callback and runs the operation that runs it, on the first of {@code keys}. */
    private Object operation(final List<Long> keys) throws Exception
    {
        final long first = keys.get(0);
        switch (callback)
        {
            case LISTENER:
            {
                // the oldest entry is evicted first; fill its segment until an eviction happens
                armed = true;
                Object result = null;
                for (int i = 0; !acted.contains(Thread.currentThread()) && i < keys.size(); i++)
                {
                    result = bytes.put(keys.get(i), new byte[BIG_VALUE]);
                }
                return result;
            }
            case READER:
                bytes.put(first, VALUE);
                armed = true;
                return bytes.read(first, view ->
                {
                    fire(view);
                    return "read " + view.getByte(0);
                });
            case REMAPPER:
                bytes.put(first, VALUE);
                armed = true;
                return bytes.compute(first, old ->
                {
                    fire(null);
                    return new byte[BIG_VALUE];
                }).length;
            case ENCODE:
                armed = true;
                return typed.put(first, VALUE);
            case DECODE:
                typed.put(first, VALUE);
                armed = true;
                return typed.get(first);
            case TICKER_LOCK_FREE:
                bytes.put(first, VALUE, Duration.ofHours(1));
                armed = true;
                return bytes.get(first);
            case TICKER_LOCKED:
                armed = true;
                return bytes.put(first, VALUE, Duration.ofHours(1));
            case LOADER:
                armed = true;
                return typed.get(first, key ->
                {
                    fire(null);
                    return VALUE;
                });
            case ASYNC_LOADER:
                armed = true;
                return typed.getAsync(first, key ->
                {
                    fire(null);
                    return VALUE;
                }, executor).join();
            case LARGE_READER:
                bytes.put(first, LARGE_VALUE);
                armed = true;
                return bytes.read(first, view ->
                {
                    fire(view);
                    return "read " + view.getByte(0) + " of " + view.capacity();
                });
            case LARGE_ENCODE:
                armed = true;
                return typed.put(first, LARGE_VALUE);
            case LARGE_DECODE:
                typed.put(first, LARGE_VALUE);
                armed = true;
                return typed.get(first).length;
            case ITERATION:
            {
                typed.put(first, VALUE);
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
        if (!armed || !acted.add(Thread.currentThread()))
        {
            return;
        }
        if (misuse != Misuse.OTHER_SEGMENT_BOTH_WAYS)
        {
            armed = false;
        }
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
            case OTHER_SEGMENT_BOTH_WAYS:
                callTheOtherSegment();
                break;
            default:
                throw new IllegalArgumentException("misuse=" + misuse);
        }
    }

    /** Waits until both threads are inside their callbacks, then writes into the other's segment. */
    private void callTheOtherSegment()
    {
        final long target = crossTarget.get();
        final int self = segmentOne.contains(target) ? 0 : 1;
        String met;
        try
        {
            bothInside.await(10, TimeUnit.SECONDS);
            met = outcome(() -> bytes.put(target, VALUE));
        }
        catch (final InterruptedException | BrokenBarrierException | TimeoutException ex)
        {
            met = "the other thread never entered its callback: " + describe(ex);
        }
        crossCalls[self] = met;
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
            if (callback == Callback.ENCODE || callback == Callback.LARGE_ENCODE)
            {
                fire(buffer);
            }
            buffer.putBytes(offset, value);
        }

        @Override
        public byte[] decode(final DirectBuffer buffer, final int offset, final int length)
        {
            if (callback == Callback.DECODE || callback == Callback.ITERATION || callback == Callback.LARGE_DECODE)
            {
                fire(buffer);
            }
            final byte[] value = new byte[length];
            buffer.getBytes(offset, value);
            return value;
        }
    }
}
