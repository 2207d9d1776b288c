package dev.larder.bench;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A probe of the machine, not of Larder: two threads read and then write random 128-byte blocks of
 * one shared array ({@code shared}) or of an array each ({@code private}), and the program prints
 * the accesses per second, second by second. On the 2-vCPU virtual machine of docs/benchmarks.md
 * the shared form jumps between two speeds about 4 times apart and stays at each for seconds
 * (the hypervisor placing the two vCPUs near or apart), while the private form does not move: the
 * reason {@link PolicyPairBenchmark} pairs neighbouring iterations instead of comparing forks.
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.PlacementProbe shared 4 60
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.PlacementProbe private 2 60
 * </pre>
 */
public final class PlacementProbe
{
    private static final int THREADS = 2;
    /** Longs between two threads' counters: 128 bytes. */
    private static final int STRIDE = 16;

    private PlacementProbe()
    {
    }

    /** @param args {@code shared} or {@code private}, MiB per array (a power of two), seconds */
    public static void main(final String[] args) throws InterruptedException
    {
        if (args.length != 3 || !("shared".equals(args[0]) || "private".equals(args[0])))
        {
            throw new IllegalArgumentException("usage: PlacementProbe shared|private <MiB> <seconds>");
        }
        final boolean shared = "shared".equals(args[0]);
        final int mebibytes = Integer.parseInt(args[1]);
        final int seconds = Integer.parseInt(args[2]);
        if (mebibytes < 1 || Integer.bitCount(mebibytes) != 1)
        {
            throw new IllegalArgumentException("MiB must be a power of two: MiB=" + mebibytes);
        }
        final AtomicLongArray counts = new AtomicLongArray(THREADS * STRIDE);
        final byte[] common = shared ? new byte[mebibytes << 20] : null;
        for (int t = 0; t < THREADS; t++)
        {
            final int id = t;
            final Thread thread = new Thread(() -> run(common != null ? common : new byte[mebibytes << 20], id, counts),
                "probe-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        final long[] previous = new long[THREADS];
        final StringBuilder line = new StringBuilder();
        for (int s = 0; s < seconds; s++)
        {
            Thread.sleep(1000);
            long total = 0;
            for (int t = 0; t < THREADS; t++)
            {
                final long count = counts.get(t * STRIDE);
                total += count - previous[t];
                previous[t] = count;
            }
            line.append(String.format(Locale.ROOT, "%.1f ", total / 1e6));
        }
        System.out.println(args[0] + ", " + mebibytes + " MiB, million accesses per second, second by second:");
        System.out.println(line.toString().trim());
    }

    /** Reads two cache lines of a random 128-byte block, then writes both; forever. */
    private static void run(final byte[] memory, final int id, final AtomicLongArray counts)
    {
        final int mask = memory.length - 1;
        long x = 0x9E37_79B9_7F4A_7C15L * (id + 1);
        long sum = 0;
        long done = 0;
        while (true)
        {
            for (int i = 0; i < 1024; i++)
            {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                final int block = (int)x & mask & ~127;
                sum += memory[block] + memory[block + 64];
                memory[block] = (byte)sum;
                memory[block + 64] = (byte)(sum >> 8);
            }
            done += 1024;
            counts.lazySet(id * STRIDE, done);
        }
    }
}
