package dev.larder.bench.sim;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Key traces for the simulator: readers for the LIRS text format and for binary streams of 32- or
 * 64-bit big-endian keys, and synthetic Zipf and scan generators. A trace is a {@code long[]} of
 * keys, one per access.
 */
public final class Traces
{
    /** The bundled LIRS traces, in {@code src/main/resources/traces/} (see its README for their origin). */
    public static final String[] BUNDLED = {
        "loop", "scan", "zigzag", "gli", "ps", "cs", "cpp", "multi1", "multi2", "multi3", "sprite", "2_pools"};

    private Traces()
    {
    }

    /** @return a bundled trace by name, e.g. {@code "sprite"}. */
    public static long[] bundled(final String name)
    {
        final InputStream in = Traces.class.getResourceAsStream("/traces/" + name + ".trace.gz");
        if (in == null)
        {
            throw new IllegalArgumentException("no bundled trace named " + name + ": expected one of " +
                Arrays.toString(BUNDLED));
        }
        try (InputStream gzip = new GZIPInputStream(in))
        {
            return lirs(gzip);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read trace " + name, ex);
        }
    }

    /** Reads the LIRS text format: one integer key per line; lines holding {@code *} and blank lines are skipped. */
    public static long[] lirs(final InputStream in) throws IOException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        final LongList keys = new LongList();
        for (String line = reader.readLine(); line != null; line = reader.readLine())
        {
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || "*".equals(trimmed))
            {
                continue;
            }
            keys.add(Long.parseLong(trimmed));
        }
        return keys.toArray();
    }

    /** Reads a stream of big-endian keys of {@code bits} (32 or 64) bits each, to its end. */
    public static long[] binary(final InputStream in, final int bits) throws IOException
    {
        if (bits != 32 && bits != 64)
        {
            throw new IllegalArgumentException("bits must be 32 or 64: bits=" + bits);
        }
        final DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in));
        final LongList keys = new LongList();
        while (true)
        {
            try
            {
                keys.add(bits == 32 ? data.readInt() & 0xFFFF_FFFFL : data.readLong());
            }
            catch (final EOFException end)
            {
                return keys.toArray();
            }
        }
    }

    /** @return {@code accesses} Zipf(s)-distributed keys over {@code items} keys (rank 0 the most popular). */
    public static long[] zipf(final int accesses, final int items, final double s, final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf zipf = new dev.larder.bench.KeyStream.Zipf(items, s);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[accesses];
        for (int i = 0; i < accesses; i++)
        {
            keys[i] = zipf.next(random);
        }
        return keys;
    }

    /**
     * @return a hot set of {@code hot} keys read in a Zipf pattern, interrupted every {@code period}
     *     accesses by a one-time scan of {@code scanLength} new keys (the pattern that defeats LRU)
     */
    public static long[] scan(final int accesses, final int hot, final int period, final int scanLength,
        final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf zipf = new dev.larder.bench.KeyStream.Zipf(hot, 0.9);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[accesses];
        long nextScanKey = hot;
        int i = 0;
        while (i < accesses)
        {
            for (int j = 0; j < period && i < accesses; j++)
            {
                keys[i++] = zipf.next(random);
            }
            for (int j = 0; j < scanLength && i < accesses; j++)
            {
                keys[i++] = nextScanKey++;
            }
        }
        return keys;
    }

    /** Synthetic workload kinds the bundled files lack, by name; each is deterministic (fixed seed). */
    public static final String[] SYNTHETIC = {"zipf", "scan-synthetic", "oltp", "search", "web", "recommendation",
        "phases"};

    /** @return a synthetic trace by name (see {@link #SYNTHETIC}) */
    public static long[] synthetic(final String name)
    {
        return switch (name)
        {
            case "zipf" -> zipf(200_000, 10_000, 0.99, 7);
            case "scan-synthetic" -> scan(200_000, 2_000, 20_000, 5_000, 7);
            case "oltp" -> oltp(300_000, 20_000, 50_000, 10_000, 2_000, 11);
            case "search" -> drifting(300_000, 50_000, 0.8, 500, 13);
            case "web" -> oneHitWonders(300_000, 20_000, 0.9, 0.4, 17);
            case "recommendation" -> popularityPhases(300_000, 10_000, 0.9, 50_000, 19);
            case "phases" -> recencyFrequencyPhases(240_000, 60_000, 3_000, 23);
            default -> throw new IllegalArgumentException("no synthetic trace named " + name + ": expected one of " +
                Arrays.toString(SYNTHETIC));
        };
    }

    /**
     * A database (OLTP): rows of a hot table read in a Zipf(0.9) pattern, and every {@code period}
     * accesses a range scan of {@code scanLength} consecutive rows of a second table of
     * {@code tableRows} rows, the scans walking through that table and starting over (so scanned
     * rows come back, a table's worth of accesses later).
     */
    public static long[] oltp(final int accesses, final int hotRows, final int tableRows, final int period,
        final int scanLength, final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf zipf = new dev.larder.bench.KeyStream.Zipf(hotRows, 0.9);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[accesses];
        long scanAt = 0;
        int i = 0;
        while (i < accesses)
        {
            for (int j = 0; j < period && i < accesses; j++)
            {
                keys[i++] = scramble(zipf.next(random));
            }
            for (int j = 0; j < scanLength && i < accesses; j++)
            {
                keys[i++] = 1_000_000_000L + scanAt;
                scanAt = (scanAt + 1) % tableRows;
            }
        }
        return keys;
    }

    /**
     * Search queries: a heavy-tailed Zipf(s) over {@code items} queries whose popularity drifts:
     * every {@code driftEvery} accesses a query from the tail swaps ranks with one of the top
     * thousand (a new query becomes popular, an old one fades).
     */
    public static long[] drifting(final int accesses, final int items, final double s, final int driftEvery,
        final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf zipf = new dev.larder.bench.KeyStream.Zipf(items, s);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] byRank = new long[items];
        for (int r = 0; r < items; r++)
        {
            byRank[r] = scramble(r);
        }
        final long[] keys = new long[accesses];
        for (int i = 0; i < accesses; i++)
        {
            if (i % driftEvery == driftEvery - 1)
            {
                final int top = random.nextInt(Math.min(1_000, items));
                final int tail = random.nextInt(items);
                final long swap = byRank[top];
                byRank[top] = byRank[tail];
                byRank[tail] = swap;
            }
            keys[i] = byRank[(int)zipf.next(random)];
        }
        return keys;
    }

    /**
     * A web front: a Zipf(s) over {@code items} pages, and with probability {@code oneHitShare} an
     * access to a page never seen before or after (a one-hit wonder: crawlers, unique URLs).
     */
    public static long[] oneHitWonders(final int accesses, final int items, final double s, final double oneHitShare,
        final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf zipf = new dev.larder.bench.KeyStream.Zipf(items, s);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[accesses];
        long unique = 1L << 40;
        for (int i = 0; i < accesses; i++)
        {
            keys[i] = random.nextDouble() < oneHitShare ? unique++ : scramble(zipf.next(random));
        }
        return keys;
    }

    /**
     * Recommendations: a Zipf(s) over a catalogue slice of {@code items} items that switches every
     * {@code phase} accesses among three slices in turn (A, B, C, A, ...); neighbouring slices share
     * a third of their items, and each return to a slice brings back its old popularity order.
     */
    public static long[] popularityPhases(final int accesses, final int items, final double s, final int phase,
        final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf zipf = new dev.larder.bench.KeyStream.Zipf(items, s);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[accesses];
        final long sliceStride = items * 2L / 3;
        for (int i = 0; i < accesses; i++)
        {
            final int slice = i / phase % 3;
            keys[i] = scramble(slice * sliceStride + ((zipf.next(random) * 7919 + slice * 104_729L) % items));
        }
        return keys;
    }

    /**
     * Phases that switch between recency and frequency every {@code phase} accesses: a recency
     * phase reads mostly keys inserted a little earlier (distance drawn geometrically, mean 200
     * new keys, 75% of accesses) and otherwise new keys; a frequency phase loops over
     * {@code loop} keys with a Zipf(0.9) hot set of 500 keys interleaved (one access in three).
     */
    public static long[] recencyFrequencyPhases(final int accesses, final int phase, final int loop, final long seed)
    {
        final dev.larder.bench.KeyStream.Zipf hot = new dev.larder.bench.KeyStream.Zipf(500, 0.9);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[accesses];
        long fresh = 1L << 40;
        int loopAt = 0;
        for (int i = 0; i < accesses; i++)
        {
            if (i / phase % 2 == 0)
            {
                if (random.nextDouble() < 0.75 && fresh > 1L << 40)
                {
                    final long back = 1 + (long)(-Math.log(1 - random.nextDouble()) * 200);
                    keys[i] = Math.max(1L << 40, fresh - back);
                }
                else
                {
                    keys[i] = fresh++;
                }
            }
            else if (i % 3 == 0)
            {
                keys[i] = scramble(1_000_000 + hot.next(random));
            }
            else
            {
                keys[i] = 2_000_000 + loopAt;
                loopAt = (loopAt + 1) % loop;
            }
        }
        return keys;
    }

    /** Spreads a small number over the long range (a bijection), so that ranks do not look like neighbours. */
    private static long scramble(final long rank)
    {
        return (rank + 1) * 0x9E37_79B9_7F4A_7C15L;
    }

    /** @return the number of distinct keys. */
    public static int distinct(final long[] trace)
    {
        return (int)Arrays.stream(trace).distinct().count();
    }

    /** A growable long array. */
    private static final class LongList
    {
        private long[] values = new long[1024];
        private int size;

        void add(final long value)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }
}
