package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Issue 11: random operation sequences over a mix of small, large and too-large values against a
 * plain reference model, with a fake ticker. With room to spare every result matches the model;
 * under eviction pressure a read may miss but never returns a stale, foreign or mixed value. In
 * both: the bytes used never exceed the capacity, every refusal is reported and counted, the
 * listener hears of every value stored exactly once (replaced, removed, expired, evicted or
 * cleared), always under a user's key, and the chunk records of removed values are gone.
 */
class Issue11LargeValuesModelTest
{
    enum Kind
    {
        PUT, PUT_TTL, GET, GET_INTO, READ, PEEK, REMOVE, PUT_IF_ABSENT, REPLACE, TOUCH, TTL, CONTAINS, COMPUTE,
        ADVANCE
    }

    /** What size a written value has. */
    enum Size
    {
        SMALL, LARGE, TOO_LARGE
    }

    /** One step: what to do, to which key, with a value of which size class and fraction, and a TTL. */
    record Op(Kind kind, int key, Size size, int fraction, int ttlMillis)
    {
    }

    /** Latest value written for a key and when it expires (0 = never). */
    record Entry(byte[] value, long expireAt)
    {
    }

    @Provide
    Arbitrary<List<Op>> roomyOps()
    {
        return ops(12);
    }

    @Provide
    Arbitrary<List<Op>> pressureOps()
    {
        return ops(40);
    }

    private static Arbitrary<List<Op>> ops(final int keys)
    {
        final Arbitrary<Kind> kinds = Arbitraries.frequency(
            Tuple.of(6, Kind.PUT), Tuple.of(2, Kind.PUT_TTL), Tuple.of(5, Kind.GET), Tuple.of(2, Kind.GET_INTO),
            Tuple.of(2, Kind.READ), Tuple.of(1, Kind.PEEK), Tuple.of(2, Kind.REMOVE), Tuple.of(2, Kind.PUT_IF_ABSENT),
            Tuple.of(2, Kind.REPLACE), Tuple.of(1, Kind.TOUCH), Tuple.of(1, Kind.TTL), Tuple.of(1, Kind.CONTAINS),
            Tuple.of(1, Kind.COMPUTE), Tuple.of(1, Kind.ADVANCE));
        final Arbitrary<Size> sizes = Arbitraries.frequency(
            Tuple.of(5, Size.SMALL), Tuple.of(4, Size.LARGE), Tuple.of(1, Size.TOO_LARGE));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, keys - 1), sizes,
            Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(1, 5000)).as(Op::new)
            .list().ofMinSize(1).ofMaxSize(100);
    }

    /** 4 MiB over 64 segments: records of at most ~10 KiB, so large values are common and still fit. */
    @Property(tries = 120, seed = "1101")
    void withRoomToSpareEveryResultMatchesTheModel(@ForAll("roomyOps") final List<Op> ops)
    {
        final FakeTicker ticker = new FakeTicker();
        final Listener listener = new Listener();
        final OffHeapCache cache = OffHeapCache.builder().capacity(4 << 20).segments(64).hashSeed(11).ticker(ticker)
            .removalListener(listener).build();
        try (cache)
        {
            final Run run = new Run(cache, ticker, listener, true, 3);
            ops.forEach(run::apply);
            run.finish();
            assertEquals(0, cache.stats().evictionCount(), "a roomy cache evicts nothing");
        }
    }

    /** 256 KiB over 4 segments: large values of up to half the capacity evict everything else. */
    @Property(tries = 120, seed = "1102")
    void underEvictionPressureReadsAreLatestOrNothing(@ForAll("pressureOps") final List<Op> ops)
    {
        final FakeTicker ticker = new FakeTicker();
        final Listener listener = new Listener();
        final OffHeapCache cache = OffHeapCache.builder().capacity(256 << 10).segments(4).hashSeed(12).ticker(ticker)
            .removalListener(listener).build();
        try (cache)
        {
            final Run run = new Run(cache, ticker, listener, false, 0);
            ops.forEach(run::apply);
            run.finish();
        }
    }

    /** Counts what the listener hears, by cause, and checks every key it hears is a user's. */
    static final class Listener implements RemovalListener
    {
        final Map<RemovalCause, Integer> heard = new EnumMap<>(RemovalCause.class);
        final Map<ByteBuffer, Integer> smallValuesHeard = new HashMap<>();

        @Override
        public void onRemoval(final org.agrona.DirectBuffer key, final org.agrona.DirectBuffer value,
            final RemovalCause cause)
        {
            heard.merge(cause, 1, Integer::sum);
            final byte[] bytes = new byte[key.capacity()];
            key.getBytes(0, bytes);
            assertTrue(bytes.length >= 2 && bytes[0] == 'k' && bytes[1] == '-',
                "the listener heard a key no user wrote: " + Arrays.toString(bytes));
        }

        int total()
        {
            return heard.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Applies operations to the cache and the model and compares results. */
    private static final class Run
    {
        private final OffHeapCache cache;
        private final FakeTicker ticker;
        private final Listener listener;
        private final boolean exact;
        /** Large values are at most this many inline records (0: up to the maximum). */
        private final int largeRecords;
        private final Map<Integer, Entry> model = new HashMap<>();
        private long now;
        private int version;
        private long stored;
        private long refused;

        Run(final OffHeapCache cache, final FakeTicker ticker, final Listener listener, final boolean exact,
            final int largeRecords)
        {
            this.cache = cache;
            this.ticker = ticker;
            this.listener = listener;
            this.exact = exact;
            this.largeRecords = largeRecords;
        }

        private static byte[] key(final int key)
        {
            return ("k-" + key).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        /** A value whose every byte names its version and position: a stale, foreign or mixed read cannot pass. */
        private byte[] value(final byte[] key, final Size size, final int fraction)
        {
            final int inline = cache.maxInlineEntrySize() - key.length;
            final int max = cache.maxEntrySize() - key.length;
            final int length;
            switch (size)
            {
                case SMALL:
                    length = fraction % 300;
                    break;
                case LARGE:
                    final int largest = largeRecords == 0 ? max : Math.min(max, inline * largeRecords);
                    length = inline + 1 + (int)((long)(largest - inline - 1) * fraction / 1000);
                    break;
                default:
                    length = max + 1 + fraction;
            }
            final byte[] value = new byte[length];
            version++;
            for (int i = 0; i < length; i++)
            {
                value[i] = (byte)(version * 17 + i * 31 + (i >>> 8));
            }
            return value;
        }

        private boolean tooLarge(final byte[] key, final byte[] value)
        {
            return key.length + value.length > cache.maxEntrySize();
        }

        private boolean live(final Entry entry)
        {
            return entry != null && (entry.expireAt() == 0 || entry.expireAt() > now);
        }

        void apply(final Op op)
        {
            final int k = op.key();
            final byte[] key = key(k);
            final Entry current = model.get(k);
            final boolean present = live(current);
            switch (op.kind())
            {
                case PUT:
                case PUT_TTL:
                {
                    final byte[] value = value(key, op.size(), op.fraction());
                    final boolean ttl = op.kind() == Kind.PUT_TTL;
                    final boolean put = ttl ? cache.put(key, value, Duration.ofMillis(op.ttlMillis())) :
                        cache.put(key, value);
                    if (written(key, value, put))
                    {
                        model.put(k, new Entry(value, ttl ? now + op.ttlMillis() : 0));
                    }
                    break;
                }
                case PUT_IF_ABSENT:
                {
                    final byte[] value = value(key, op.size(), op.fraction());
                    final boolean put = cache.putIfAbsent(key, value);
                    if (!tooLarge(key, value))
                    {
                        checkPresence(present, !put, "putIfAbsent");
                    }
                    if (written(key, value, put))
                    {
                        model.put(k, new Entry(value, 0));
                    }
                    break;
                }
                case REPLACE:
                {
                    final byte[] value = value(key, op.size(), op.fraction());
                    final boolean put = cache.replace(key, value);
                    if (written(key, value, put))
                    {
                        model.put(k, new Entry(value, 0));
                    }
                    else if (!tooLarge(key, value))
                    {
                        checkPresence(present, false, "replace");
                        model.remove(k);
                    }
                    break;
                }
                case GET:
                    checkRead(k, cache.get(key));
                    break;
                case PEEK:
                    checkRead(k, cache.peek(key));
                    break;
                case READ:
                    checkRead(k, cache.read(key, ByteCompute::copyOf));
                    break;
                case GET_INTO:
                {
                    final byte[] dst = new byte[present ? Math.max(0, current.value().length + op.fraction() % 3 - 1) :
                        10];
                    final int length = cache.get(key, dst);
                    if (length < 0)
                    {
                        checkRead(k, null);
                    }
                    else if (length <= dst.length)
                    {
                        checkRead(k, Arrays.copyOf(dst, length));
                    }
                    else
                    {
                        assertTrue(present && current.value().length == length, "length of a value too big for dst");
                    }
                    break;
                }
                case REMOVE:
                {
                    final boolean removed = cache.remove(key);
                    checkPresence(present, removed, "remove");
                    model.remove(k);
                    break;
                }
                case TOUCH:
                {
                    final boolean touched = cache.touch(key, Duration.ofMillis(op.ttlMillis()));
                    checkPresence(present, touched, "touch");
                    if (touched)
                    {
                        model.put(k, new Entry(current.value(), now + op.ttlMillis()));
                    }
                    else
                    {
                        model.remove(k);
                    }
                    break;
                }
                case TTL:
                {
                    final long ttl = cache.ttlMillis(key);
                    if (ttl == OffHeapCache.ABSENT)
                    {
                        checkPresence(present, false, "ttl");
                        model.remove(k);
                    }
                    else
                    {
                        assertTrue(present, "ttl of an absent key");
                        assertEquals(current.expireAt() == 0 ? OffHeapCache.NO_EXPIRY : current.expireAt() - now, ttl);
                    }
                    break;
                }
                case CONTAINS:
                {
                    final boolean contains = cache.containsKey(key);
                    checkPresence(present, contains, "containsKey");
                    if (!contains)
                    {
                        model.remove(k);
                    }
                    break;
                }
                case COMPUTE:
                    compute(k, key, current, present);
                    break;
                case ADVANCE:
                    now += op.ttlMillis();
                    ticker.advanceMillis(op.ttlMillis());
                    break;
                default:
                    throw new AssertionError(op);
            }
            final CacheStats stats = cache.stats();
            assertTrue(stats.usedBytes() <= stats.capacityBytes(), "used " + stats.usedBytes() + " bytes");
            assertEquals(refused, stats.rejectionCount(), "every refusal counted, nothing else");
        }

        /** compute removes a small value; a large one is refused (counted) and returned, the function not called. */
        private void compute(final int k, final byte[] key, final Entry current, final boolean present)
        {
            final boolean[] called = new boolean[1];
            final byte[] result = cache.compute(key, value -> {
                called[0] = true;
                return null;
            });
            final boolean large = present && key.length + current.value().length > cache.maxInlineEntrySize();
            if (!called[0])
            {
                assertTrue(large || !exact, "compute refused a value that is not large");
                refused++;
                checkRead(k, result);
                return;
            }
            assertNull(result);
            checkPresence(present && !large, !large && present, "compute's function ran");
            model.remove(k);
        }

        /** @return true when stored; checks a refusal is one of an entry too large */
        private boolean written(final byte[] key, final byte[] value, final boolean put)
        {
            if (tooLarge(key, value))
            {
                assertFalse(put, "an entry above maxEntrySize() must be refused");
                refused++;
                return false;
            }
            if (put)
            {
                stored++;
            }
            return put;
        }

        private void checkPresence(final boolean modelPresent, final boolean cachePresent, final String what)
        {
            if (exact)
            {
                assertEquals(modelPresent, cachePresent, what);
            }
            else if (cachePresent)
            {
                assertTrue(modelPresent, what + " saw an entry the model does not have");
            }
        }

        private void checkRead(final int slot, final byte[] read)
        {
            final Entry entry = model.get(slot);
            final boolean present = live(entry);
            if (read == null)
            {
                checkPresence(present, false, "read");
                model.remove(slot);
            }
            else
            {
                assertTrue(present, "read a value the model does not have");
                assertArrayEquals(entry.value(), read, "read a stale, foreign or mixed value");
            }
        }

        /**
         * Reads every key (so that expired entries are noticed), checks that the chunks left are
         * exactly those of the live large values (with room to spare), then clears the cache: every
         * value stored has then been heard of exactly once.
         */
        void finish()
        {
            for (final Integer k : List.copyOf(model.keySet()))
            {
                checkRead(k, cache.get(key(k)));
            }
            cache.verifyInvariants();
            if (exact)
            {
                long chunks = 0;
                for (final Map.Entry<Integer, Entry> entry : model.entrySet())
                {
                    final int length = entry.getValue().value().length;
                    if (key(entry.getKey()).length + length > cache.maxInlineEntrySize())
                    {
                        chunks += (length + cache.largeValueChunkLength() - 1) / cache.largeValueChunkLength();
                    }
                }
                assertEquals(chunks, cache.liveChunkCount(), "the chunks of the live large values, and no others");
                assertEquals(model.size(), cache.stats().entryCount());
            }
            cache.clear();
            cache.verifyInvariants();
            assertEquals(0, cache.liveChunkCount());
            assertEquals(stored, listener.total(), "each value stored is heard of once: " + listener.heard);
            if (exact)
            {
                assertNull(listener.heard.get(RemovalCause.EVICTED));
            }
        }
    }
}
