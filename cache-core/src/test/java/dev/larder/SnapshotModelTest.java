package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Round trips through a snapshot against a plain model (#11): random puts (with and without time to
 * live), removes and clock moves on a cache, a save, some downtime, and a load into a cache of
 * another shape; every entry the model holds alive at the load must come back with its value and
 * its exact remaining time to live (fake ticker and wall clock moved together), and nothing else.
 * A few values are large values in some of the shapes ({@link #value}). Second chance: its records
 * reach a quarter of a segment's ring, so a large value's chunks saved by one shape fit the records
 * of every other; an adaptive cache's records are a page (a 64th of the ring), and chunks larger
 * than the loading cache's records are refused and counted (docs/snapshot-format.md).
 */
class SnapshotModelTest
{
    enum Kind
    {
        PUT, PUT_TTL, REMOVE, ADVANCE
    }

    /** Sizes from this one on stand for {@link #LARGE_LENGTH} bytes more. */
    static final int LARGE_FROM = 290;
    static final int LARGE_LENGTH = 40_000;

    record Op(Kind kind, int key, int size, int millis)
    {
    }

    /** The model's entry: the value and its wall-clock expire-at, 0 for never. */
    record Expected(byte[] value, long expireAt)
    {
    }

    @Provide
    Arbitrary<List<Op>> ops()
    {
        final Arbitrary<Op> op = Combinators.combine(
            Arbitraries.of(Kind.class),
            Arbitraries.integers().between(0, 200),
            Arbitraries.integers().between(0, 300),
            Arbitraries.integers().between(1, 3000)).as(Op::new);
        return op.list().ofMaxSize(120);
    }

    @Property(tries = 100)
    void entriesAndTheirTimeToLiveSurviveASaveAndALoad(
        @ForAll("ops") final List<Op> ops,
        @ForAll @IntRange(min = 0, max = 6) final int savedSegmentsLog2,
        @ForAll @IntRange(min = 0, max = 6) final int loadedSegmentsLog2,
        @ForAll @IntRange(min = 0, max = 4000) final int downtimeMillis) throws IOException
    {
        final Path dir = Files.createTempDirectory("snapshot-model");
        final Path file = dir.resolve("model.snap");
        final AtomicLong wall = new AtomicLong(SnapshotTest.WALL_START);
        final Map<Integer, Expected> model = new HashMap<>();
        try
        {
            final FakeTicker ticker = new FakeTicker();
            try (OffHeapCache cache = secondChance().capacity(1 << 22).segments(1 << savedSegmentsLog2)
                .ticker(ticker).wallClock(wall::get).build())
            {
                for (final Op op : ops)
                {
                    switch (op.kind())
                    {
                        case PUT:
                        {
                            final byte[] value = value(op);
                            cache.put(op.key(), value);
                            model.put(op.key(), new Expected(value, 0));
                            break;
                        }
                        case PUT_TTL:
                        {
                            final byte[] value = value(op);
                            cache.put(op.key(), value, Duration.ofMillis(op.millis()));
                            model.put(op.key(), new Expected(value, wall.get() + op.millis()));
                            break;
                        }
                        case REMOVE:
                            cache.remove(op.key());
                            model.remove(op.key());
                            break;
                        default:
                            ticker.advanceMillis(op.millis());
                            wall.addAndGet(op.millis());
                            break;
                    }
                }
                final long aliveAtSave = model.values().stream().filter(e -> alive(e, wall.get())).count();
                final SnapshotSave saved = cache.save(file);
                assertEquals(aliveAtSave, saved.entries());
            }
            wall.addAndGet(downtimeMillis);
            final long now = wall.get();
            try (OffHeapCache restored = secondChance().capacity(1 << 21).segments(1 << loadedSegmentsLog2)
                .ticker(new FakeTicker()).wallClock(wall::get).loadSnapshot(file).build())
            {
                long alive = 0;
                for (final Map.Entry<Integer, Expected> entry : model.entrySet())
                {
                    final Expected expected = entry.getValue();
                    final int key = entry.getKey();
                    if (alive(expected, now))
                    {
                        alive++;
                        assertArrayEquals(expected.value(), restored.get(key), "key " + key);
                        assertEquals(expected.expireAt() == 0 ? OffHeapCache.NO_EXPIRY : expected.expireAt() - now,
                            restored.ttlMillis(key), "ttl of key " + key);
                    }
                    else
                    {
                        assertNull(restored.get(key), "key " + key + " expired");
                    }
                }
                assertEquals(alive, restored.size(), "nothing else");
                final SnapshotLoad load = restored.snapshotLoad();
                assertEquals(alive, load.loaded());
                assertEquals(load.entries() - alive, load.expired());
                assertEquals(0, load.rejected() + load.evicted());
                restored.verifyInvariants();
            }
        }
        finally
        {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    private static boolean alive(final Expected expected, final long now)
    {
        return expected.expireAt() == 0 || expected.expireAt() > now;
    }

    /**
     * A value of {@code op.size()} bytes, or, for the largest sizes (about one op in thirty), of 40
     * KB: a large value (in chunks) in the caches of 16 segments or more here, an ordinary one in
     * the others, so that chunks are restored into other segment counts and ordinary values become
     * large values at the load.
     */
    private static byte[] value(final Op op)
    {
        final byte[] value = new byte[op.size() >= LARGE_FROM ? LARGE_LENGTH + op.size() : op.size()];
        Arrays.fill(value, (byte)(op.key() * 31 + op.millis()));
        return value;
    }

    /** @return a builder of a cache running second chance (see the class comment) */
    private static OffHeapCacheBuilder secondChance()
    {
        return OffHeapCache.builder().eviction(EvictionMode.SECOND_CHANCE);
    }
}
