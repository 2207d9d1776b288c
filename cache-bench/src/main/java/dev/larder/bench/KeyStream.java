package dev.larder.bench;

import java.util.SplittableRandom;

/**
 * Pre-drawn key indexes so that drawing a key costs one array read while measuring (as in
 * Caffeine's GetPutBenchmark). Zipf draws use the scrambled Zipfian generator of YCSB (Gray et al.,
 * "Quickly generating billion-record synthetic databases"), so popular keys are spread over the
 * key space rather than clustered at low numbers.
 */
public final class KeyStream
{
    /** Draws per stream; a power of two. */
    public static final int SIZE = 1 << 20;

    private KeyStream()
    {
    }

    /** @return {@link #SIZE} indexes in {@code [0, items)}, uniform or Zipf(s). */
    public static int[] draw(final String distribution, final int items, final double s, final long seed)
    {
        final int[] indexes = new int[SIZE];
        final SplittableRandom random = new SplittableRandom(seed);
        if ("uniform".equals(distribution))
        {
            for (int i = 0; i < SIZE; i++)
            {
                indexes[i] = random.nextInt(items);
            }
            return indexes;
        }
        if (!"zipf".equals(distribution))
        {
            throw new IllegalArgumentException("distribution must be uniform or zipf: " + distribution);
        }
        final Zipf zipf = new Zipf(items, s);
        for (int i = 0; i < SIZE; i++)
        {
            final long rank = zipf.next(random);
            indexes[i] = (int)Math.floorMod(fnv(rank), (long)items);
        }
        return indexes;
    }

    private static long fnv(final long value)
    {
        long hash = 0xCBF29CE484222325L;
        for (int i = 0; i < 8; i++)
        {
            hash ^= (value >>> (8 * i)) & 0xFF;
            hash *= 0x100000001B3L;
        }
        return hash;
    }

    /** Zipf ranks in [0, items) with exponent {@code s}, by Gray et al.'s rejection-free method. */
    public static final class Zipf
    {
        private final long items;
        private final double theta;
        private final double zetaN;
        private final double alpha;
        private final double eta;

        public Zipf(final long items, final double s)
        {
            this.items = items;
            this.theta = s;
            this.zetaN = zeta(items, s);
            final double zeta2 = zeta(2, s);
            this.alpha = 1.0 / (1.0 - s);
            this.eta = (1 - Math.pow(2.0 / items, 1 - s)) / (1 - zeta2 / zetaN);
        }

        private static double zeta(final long n, final double s)
        {
            double sum = 0;
            for (long i = 1; i <= n; i++)
            {
                sum += 1.0 / Math.pow(i, s);
            }
            return sum;
        }

        /** @return the next rank, 0 the most popular. */
        public long next(final SplittableRandom random)
        {
            final double u = random.nextDouble();
            final double uz = u * zetaN;
            if (uz < 1.0)
            {
                return 0;
            }
            if (uz < 1.0 + Math.pow(0.5, theta))
            {
                return 1;
            }
            return Math.min(items - 1, (long)(items * Math.pow(eta * u - eta + 1, alpha)));
        }
    }
}
