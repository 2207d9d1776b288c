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
    public static long[] scan(final int accesses, final int hot, final int period, final int scanLength, final long seed)
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
