package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
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
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Issue 13: random operation sequences against an {@link EvictionMode#ADAPTIVE} cache (one segment
 * and four, 64 to 256 KiB each, small enough that bursts of fresh keys force eviction, admission
 * rejections and compaction) and a plain reference map that knows nothing of eviction. Values of
 * every size take part, large values (above {@code maxInlineEntrySize()}, stored in chunks)
 * included. The cache may lose a key (eviction), but never returns a wrong, stale, removed or
 * expired value, nor gains one; after each try a full iteration agrees with {@code stats()}, every
 * entry it yields is the model's latest value, the byte counters stay within the capacity, and the
 * segment invariants hold (checked here and at close by {@link InvariantsPropertyHook}).
 */
class Issue13AdaptiveModelTest
{
    enum Kind
    {
        PUT, PUT_TTL, LARGE_PUT, GET, GET_INTO, PEEK, REMOVE, PUT_IF_ABSENT, TOUCH, TTL, CONTAINS, ADVANCE, FILL,
        SCAN
    }

    /** One step: what to do, to which key, with which value size and TTL (ms). */
    record Op(Kind kind, int key, int size, int ttlMillis)
    {
    }

    /** Latest value written for a key and when it expires (0 = never). */
    record Entry(byte[] value, long expireAt)
    {
    }

    /** Keys the operations pick from; bursts of fresh keys ({@code FILL}) come from above. */
    private static final int KEYS = 160;

    @Provide
    Arbitrary<List<Op>> ops()
    {
        final Arbitrary<Kind> kinds = Arbitraries.frequency(
            Tuple.of(6, Kind.PUT), Tuple.of(2, Kind.PUT_TTL), Tuple.of(2, Kind.LARGE_PUT),
            Tuple.of(7, Kind.GET), Tuple.of(2, Kind.GET_INTO), Tuple.of(1, Kind.PEEK),
            Tuple.of(2, Kind.REMOVE), Tuple.of(2, Kind.PUT_IF_ABSENT),
            Tuple.of(1, Kind.TOUCH), Tuple.of(1, Kind.TTL), Tuple.of(1, Kind.CONTAINS),
            Tuple.of(1, Kind.ADVANCE), Tuple.of(2, Kind.FILL), Tuple.of(1, Kind.SCAN));
        final Arbitrary<Op> op = Combinators.combine(
            kinds,
            // a skewed key choice: a hot few are read and written often, so frequency matters
            Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 15)),
                Tuple.of(2, Arbitraries.integers().between(0, KEYS - 1))),
            Arbitraries.integers().between(0, 700),
            Arbitraries.integers().between(1, 5000)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(150);
    }

    @Property(tries = 100)
    void oneSegmentReturnsOnlyTheLatestLiveValue(
        @ForAll("ops") final List<Op> ops, @ForAll @IntRange(min = 64, max = 256) final int kibPerSegment)
    {
        check(ops, 1, kibPerSegment);
    }

    @Property(tries = 100)
    void fourSegmentsReturnOnlyTheLatestLiveValue(
        @ForAll("ops") final List<Op> ops, @ForAll @IntRange(min = 64, max = 256) final int kibPerSegment)
    {
        check(ops, 4, kibPerSegment);
    }

    private static void check(final List<Op> ops, final int segments, final int kibPerSegment)
    {
        final FakeTicker ticker = new FakeTicker();
        try (OffHeapCache cache = OffHeapCache.builder().capacity((long)segments * kibPerSegment * 1024)
            .segments(segments).hashSeed(13).ticker(ticker).build())
        {
            assertEquals(EvictionMode.ADAPTIVE, cache.stats().evictionMode(), cache::toString);
            final Run run = new Run(cache, ticker);
            // about the capacity in fresh keys first: every try runs under eviction pressure
            run.fill(0, cache.capacity() / 512);
            for (final Op op : ops)
            {
                run.apply(op);
            }
            run.checkWhole();
            final CacheStats stats = cache.stats();
            Statistics.label("evicted").collect(stats.evictionCount() > 0);
            Statistics.label("rejected at the door").collect(stats.admissionRejectionCount() > 0);
            Statistics.label("moved or compacted").collect(stats.secondChanceCount() > 0);
            Statistics.label("large value stored").collect(run.largeStored);
            // the sequences must exercise what they claim to: eviction always, the door and large values often
            Statistics.label("evicted").coverage(c -> c.check(true).percentage(p -> p >= 95));
            Statistics.label("rejected at the door").coverage(c -> c.check(true).percentage(p -> p >= 50));
            Statistics.label("moved or compacted").coverage(c -> c.check(true).percentage(p -> p >= 50));
            Statistics.label("large value stored").coverage(c -> c.check(true).percentage(p -> p >= 25));
        }
    }

    /** Applies operations to the cache and the model and compares results. */
    private static final class Run
    {
        private final OffHeapCache cache;
        private final FakeTicker ticker;
        /** What the cache may hold: the latest value written per key while the cache may still have it. */
        private final Map<Integer, Entry> model = new HashMap<>();
        /** The expiry of each key's last stored record, kept even after a miss; to bound the expired records. */
        private final Map<Integer, Long> lastExpiry = new HashMap<>();
        private final Map<ByteBuffer, Integer> slots = new HashMap<>();
        private final int largeSize;
        private long now;
        private int version;
        private int nextFresh = KEYS;
        private boolean largeStored;

        Run(final OffHeapCache cache, final FakeTicker ticker)
        {
            this.cache = cache;
            this.ticker = ticker;
            this.largeSize = cache.maxInlineEntrySize() + 1;
        }

        private boolean live(final Entry entry)
        {
            return entry != null && (entry.expireAt() == 0 || entry.expireAt() > now);
        }

        /** Distinct byte keys of many lengths; remembered so that iteration maps them back. */
        private byte[] key(final int slot)
        {
            final byte[] bytes = new byte[3 + slot % 13];
            Arrays.fill(bytes, (byte)slot);
            bytes[0] = (byte)(slot >>> 16);
            bytes[1] = (byte)(slot >>> 8);
            slots.putIfAbsent(ByteBuffer.wrap(bytes), slot);
            return bytes;
        }

        /** A value that names its key and version, so a foreign or stale read cannot pass. */
        private byte[] value(final int slot, final int size)
        {
            final byte[] value = new byte[size];
            version++;
            for (int i = 0; i < size; i++)
            {
                value[i] = (byte)(slot * 31 + version * 17 + i);
            }
            return value;
        }

        private void stored(final int slot, final byte[] value, final long expireAt)
        {
            model.put(slot, new Entry(value, expireAt));
            lastExpiry.put(slot, expireAt);
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
                    put(k, key, value(k, op.size()));
                    break;
                case LARGE_PUT:
                    // one to three times the largest record: two to four chunks
                    put(k, key, value(k, largeSize + op.size() * largeSize * 2 / 700));
                    break;
                case PUT_TTL:
                {
                    final byte[] value = value(k, op.size());
                    assertTrue(cache.put(key, value, Duration.ofMillis(op.ttlMillis())), "put with a ttl is stored");
                    stored(k, value, now + op.ttlMillis());
                    break;
                }
                case GET:
                    checkRead(k, cache.get(key));
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
                        assertEquals(OffHeapCache.ABSENT, length);
                        checkRead(k, null);
                    }
                    else if (length <= dst.length)
                    {
                        checkRead(k, Arrays.copyOf(dst, length));
                    }
                    else
                    {
                        assertTrue(present && current.value().length == length,
                            "length " + length + " of a value too big for dst, model " + current);
                    }
                    break;
                }
                case REMOVE:
                {
                    final boolean removed = cache.remove(key);
                    checkPresence(present, removed, "remove");
                    model.remove(k);
                    if (removed)
                    {
                        lastExpiry.remove(k);
                    }
                    assertEquals(null, cache.get(key), "a removed key is absent");
                    break;
                }
                case PUT_IF_ABSENT:
                {
                    final byte[] value = value(k, op.size());
                    final boolean stored = cache.putIfAbsent(key, value);
                    checkPresence(present, !stored, "putIfAbsent");
                    if (stored)
                    {
                        stored(k, value, 0);
                    }
                    break;
                }
                case TOUCH:
                {
                    final boolean touched = cache.touch(key, Duration.ofMillis(op.ttlMillis()));
                    checkPresence(present, touched, "touch");
                    if (touched)
                    {
                        stored(k, current.value(), now + op.ttlMillis());
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
                        model.remove(k);
                    }
                    else
                    {
                        assertTrue(present, "ttl of a key the model does not have: " + ttl);
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
                case FILL:
                    fill(op.size(), cache.capacity() / 2048);
                    break;
                case SCAN:
                    checkWhole();
                    break;
                default:
                    throw new AssertionError(op);
            }
        }

        private void put(final int slot, final byte[] key, final byte[] value)
        {
            assertTrue(cache.put(key, value), () -> "a put of " + value.length + " bytes is stored: " + cache.stats());
            stored(slot, value, 0);
            largeStored |= value.length >= largeSize;
        }

        /** {@code count} fresh one-hit keys of 500 bytes on average: eviction, rejections, compaction. */
        void fill(final int seed, final long count)
        {
            for (int i = 0; i < count; i++)
            {
                final int slot = nextFresh++;
                put(slot, key(slot), value(slot, (seed + i * 37) % 1000));
            }
        }

        /** Under eviction the cache may have lost an entry, never gained one. */
        private static void checkPresence(final boolean modelPresent, final boolean cachePresent, final String what)
        {
            if (cachePresent)
            {
                assertTrue(modelPresent,
                    what + " saw an entry the model does not have (removed, expired or never written)");
            }
        }

        private void checkRead(final int slot, final byte[] read)
        {
            final Entry entry = model.get(slot);
            if (read == null)
            {
                model.remove(slot);
            }
            else
            {
                assertTrue(live(entry), "read a value the model does not have: " + entry);
                assertArrayEquals(entry.value(), read, "read a stale or foreign value");
            }
        }

        /**
         * A full iteration: every entry it yields is live in the model with its latest value, and
         * the entry count lies between what it found and that plus the records that may have
         * expired unnoticed; bytes stay within the capacity; the invariants hold.
         */
        void checkWhole()
        {
            cache.verifyInvariants();
            long scanned = 0;
            for (final CacheEntry<byte[], byte[]> entry : cache.entries())
            {
                final Integer slot = slots.get(ByteBuffer.wrap(entry.key()));
                assertTrue(slot != null,
                    () -> "iteration yielded a key never written: " + Arrays.toString(entry.key()));
                final Entry expected = model.get(slot);
                assertTrue(live(expected), () -> "iteration yielded key " + slot + " the model does not have: " +
                    expected);
                assertArrayEquals(expected.value(), entry.value(), "iteration yielded a stale or foreign value");
                scanned++;
            }
            final long mayLinger = lastExpiry.values().stream().filter(at -> at != 0 && at <= now).count();
            final CacheStats stats = cache.stats();
            final long found = scanned;
            assertTrue(found <= stats.entryCount() && stats.entryCount() <= found + mayLinger,
                () -> "iteration found " + found + ", expired records at most " + mayLinger + ": " + stats);
            assertTrue(stats.usedBytes() <= stats.allocatedBytes() && stats.allocatedBytes() <= stats.capacityBytes(),
                stats::toString);
            assertTrue(stats.policyBytes() > 0 && stats.policyBytes() < stats.allocatedBytes(), stats::toString);
            assertTrue(stats.admissionRejectionCount() <= stats.evictionCount(), stats::toString);
            assertEquals(0, stats.rejectionCount(), stats::toString);
            assertEquals(EvictionMode.ADAPTIVE, stats.evictionMode());
        }
    }
}
