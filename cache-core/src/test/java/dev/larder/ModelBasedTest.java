package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
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
 * Random operation sequences against the cache and a plain reference model; jqwik shrinks a
 * failure to a minimal sequence. With room to spare every result must match the model; under
 * eviction pressure a read may miss, but never returns a stale or foreign value.
 */
class ModelBasedTest
{
    enum Kind
    {
        PUT, PUT_TTL, GET, GET_INTO, PEEK, REMOVE, PUT_IF_ABSENT, REPLACE, TOUCH, TTL, CONTAINS, ADVANCE, LONG_PUT,
        LONG_GET
    }

    /** One step: what to do, to which key, with which value size and TTL (ms). */
    record Op(Kind kind, int key, int size, int ttlMillis)
    {
    }

    /** Latest value written for a key and when it expires (0 = never). */
    record Entry(byte[] value, long expireAt)
    {
    }

    private static final int ROOMY_KEYS = 24;

    @Provide
    Arbitrary<List<Op>> roomyOps()
    {
        return ops(ROOMY_KEYS, 300);
    }

    @Provide
    Arbitrary<List<Op>> pressureOps()
    {
        return ops(400, 1500);
    }

    private static Arbitrary<List<Op>> ops(final int keys, final int maxSize)
    {
        final Arbitrary<Kind> kinds = Arbitraries.frequency(
            Tuple.of(6, Kind.PUT), Tuple.of(2, Kind.PUT_TTL),
            Tuple.of(5, Kind.GET), Tuple.of(2, Kind.GET_INTO),
            Tuple.of(1, Kind.PEEK), Tuple.of(2, Kind.REMOVE),
            Tuple.of(2, Kind.PUT_IF_ABSENT), Tuple.of(2, Kind.REPLACE),
            Tuple.of(1, Kind.TOUCH), Tuple.of(1, Kind.TTL),
            Tuple.of(1, Kind.CONTAINS), Tuple.of(1, Kind.ADVANCE),
            Tuple.of(2, Kind.LONG_PUT), Tuple.of(2, Kind.LONG_GET));
        final Arbitrary<Op> op = Combinators.combine(
            kinds,
            Arbitraries.integers().between(0, keys - 1),
            Arbitraries.integers().between(0, maxSize),
            Arbitraries.integers().between(1, 5000)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 250)
    void withRoomToSpareEveryResultMatchesTheModel(@ForAll("roomyOps") final List<Op> ops)
    {
        final FakeTicker ticker = new FakeTicker();
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(4).hashSeed(1).ticker(ticker)
            .build())
        {
            final Run run = new Run(cache, ticker, true);
            ops.forEach(run::apply);
            cache.verifyInvariants();
            // expired entries count until the cache notices them
            final long entries = cache.stats().entryCount();
            assertTrue(run.liveCount() <= entries && entries <= run.modelSize(), "entry count " + entries);
        }
    }

    @Property(tries = 150)
    void underEvictionPressureReadsAreLatestOrNothing(@ForAll("pressureOps") final List<Op> ops)
    {
        final FakeTicker ticker = new FakeTicker();
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16 * 1024).segments(2).hashSeed(2).ticker(ticker)
            .build())
        {
            final Run run = new Run(cache, ticker, false);
            ops.forEach(run::apply);
            cache.verifyInvariants();
        }
    }

    /** Applies operations to the cache and the model and compares results. */
    private static final class Run
    {
        private final OffHeapCache cache;
        private final FakeTicker ticker;
        private final boolean exact;
        private final Map<Integer, Entry> model = new HashMap<>();
        private long now;
        private int version;

        Run(final OffHeapCache cache, final FakeTicker ticker, final boolean exact)
        {
            this.cache = cache;
            this.ticker = ticker;
            this.exact = exact;
        }

        long modelSize()
        {
            return model.size();
        }

        long liveCount()
        {
            return model.values().stream().filter(this::live).count();
        }

        private boolean live(final Entry entry)
        {
            return entry != null && (entry.expireAt() == 0 || entry.expireAt() > now);
        }

        /** Distinct byte keys of many lengths (key 0 is the empty key); never equal to a long key's bytes. */
        private static byte[] key(final int key)
        {
            if (key == 0)
            {
                return new byte[0];
            }
            final byte[] bytes = new byte[2 + key % 11];
            Arrays.fill(bytes, (byte)key);
            bytes[0] = (byte)(key >>> 8);
            return bytes;
        }

        private static int longKeySlot(final int key)
        {
            return -1 - key;
        }

        /** A value that names its key and version, so a foreign or stale read cannot pass. */
        private byte[] value(final int key, final int size)
        {
            final byte[] value = new byte[size];
            version++;
            for (int i = 0; i < size; i++)
            {
                value[i] = (byte)(key * 31 + version * 17 + i);
            }
            return value;
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
                {
                    final byte[] value = value(k, op.size());
                    assertTrue(cache.put(key, value));
                    model.put(k, new Entry(value, 0));
                    break;
                }
                case PUT_TTL:
                {
                    final byte[] value = value(k, op.size());
                    assertTrue(cache.put(key, value, Duration.ofMillis(op.ttlMillis())));
                    model.put(k, new Entry(value, now + op.ttlMillis()));
                    break;
                }
                case LONG_PUT:
                {
                    final byte[] value = value(longKeySlot(k), op.size());
                    assertTrue(cache.put((long)k, value));
                    model.put(longKeySlot(k), new Entry(value, 0));
                    break;
                }
                case GET:
                    checkRead(k, cache.get(key));
                    break;
                case LONG_GET:
                    checkRead(longKeySlot(k), cache.get((long)k));
                    break;
                case PEEK:
                    checkRead(k, cache.peek(key));
                    break;
                case GET_INTO:
                {
                    final byte[] dst = new byte[op.size()];
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
                case PUT_IF_ABSENT:
                {
                    final byte[] value = value(k, op.size());
                    final boolean stored = cache.putIfAbsent(key, value);
                    checkPresence(present, !stored, "putIfAbsent");
                    if (stored)
                    {
                        model.put(k, new Entry(value, 0));
                    }
                    break;
                }
                case REPLACE:
                {
                    final byte[] value = value(k, op.size());
                    final boolean replaced = cache.replace(key, value);
                    checkPresence(present, replaced, "replace");
                    if (replaced)
                    {
                        model.put(k, new Entry(value, 0));
                    }
                    else
                    {
                        model.remove(k);
                    }
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
                case ADVANCE:
                    now += op.ttlMillis();
                    ticker.advanceMillis(op.ttlMillis());
                    break;
                default:
                    throw new AssertionError(op);
            }
        }

        /** Exact: presence must match. Under pressure: the cache may have lost an entry, never gained one. */
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
                assertArrayEquals(entry.value(), read, "read a stale or foreign value");
            }
        }
    }
}
