package dev.larder.bench;

import dev.larder.OffHeapCache;
import dev.larder.SnapshotLoad;
import dev.larder.SnapshotSave;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Snapshot speed (#11): save and load of N entries (16-byte keys, 100-byte values) beside a plain
 * sequential write and read of the same number of bytes with a {@code FileChannel} (4 MiB
 * buffers, forced to disk like a save), in the same run, on the same disk; and the longest pause a
 * single segment sees while a save runs with traffic (2 threads, 90% get / 10% put). A plain main,
 * not JMH: it measures a file operation of seconds, once. {@code cache-bench/measure.sh snapshot}
 * runs it for 1M and 10M entries, after a warm-up of three saves and loads of up to 200,000 entries.
 *
 * <pre>
 * java -Xmx2g -XX:MaxDirectMemorySize=8g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     -cp cache-bench/target/benchmarks.jar dev.larder.bench.SnapshotMeasurement 1000000 /var/tmp results.csv
 * </pre>
 *
 * The file is read back from the page cache unless {@code -Dlarder.dropCaches=true} is given and
 * the page cache can be dropped ({@code /proc/sys/vm/drop_caches} writable, i.e. as root; it slows
 * every process on the machine for a while, so never on a shared one): the {@code cold} column says
 * which. One
 * CSV line per run is appended to the results file (header written when the file is new).
 */
public final class SnapshotMeasurement
{
    private static final int KEY_SIZE = 16;
    private static final int VALUE_SIZE = 100;
    private static final String HEADER = "entries,file_bytes,cold,save_s,save_gb_per_s,save_entries_per_s," +
        "save_max_segment_pause_ms,traffic_save_s,traffic_save_max_segment_pause_ms,traffic_ops_during_save," +
        "load_s,load_gb_per_s,load_entries_per_s,loaded,raw_write_gb_per_s,raw_read_gb_per_s";

    private SnapshotMeasurement()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length < 3)
        {
            throw new IllegalArgumentException("usage: <entries> <directory> <results.csv>");
        }
        final int entries = Integer.parseInt(args[0]);
        final Path dir = Paths.get(args[1]);
        final Path results = Paths.get(args[2]);
        final Path file = dir.resolve("larder-measurement.snap");
        final long capacity = Math.max(64L << 20, (long)entries * 190);

        warmUp(dir.resolve("larder-warm-up.snap"), Math.min(entries, 200_000));
        final SnapshotSave quiet;
        final SnapshotSave busy;
        final long trafficOps;
        try (OffHeapCache cache = OffHeapCache.builder().capacity(capacity).segments(256)
            .expectedEntrySize(KEY_SIZE + VALUE_SIZE).build())
        {
            fill(cache, entries);
            quiet = cache.save(file);
            final LongAdder ops = new LongAdder();
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread[] traffic = new Thread[2];
            for (int t = 0; t < traffic.length; t++)
            {
                final long seed = t;
                traffic[t] = new Thread(() -> traffic(cache, entries, seed, stop, ops));
                traffic[t].start();
            }
            Thread.sleep(200);
            final long before = ops.sum();
            busy = cache.save(file);
            trafficOps = ops.sum() - before;
            stop.set(true);
            for (final Thread thread : traffic)
            {
                thread.join();
            }
        }
        final boolean cold = dropPageCache();
        final SnapshotLoad load;
        try (OffHeapCache cache = OffHeapCache.builder().capacity(capacity).segments(256)
            .expectedEntrySize(KEY_SIZE + VALUE_SIZE).loadSnapshot(file).build())
        {
            load = cache.snapshotLoad();
        }
        final long bytes = quiet.bytes();
        Files.delete(file);
        final Path raw = dir.resolve("larder-measurement.raw");
        final double rawWrite = rawWrite(raw, bytes);
        dropPageCache();
        final double rawRead = rawRead(raw);
        Files.delete(raw);

        final double saveSeconds = seconds(quiet.duration().toNanos());
        final double loadSeconds = seconds(load.duration().toNanos());
        final String line = String.format(Locale.ROOT,
            "%d,%d,%b,%.3f,%.3f,%.0f,%.3f,%.3f,%.3f,%d,%.3f,%.3f,%.0f,%d,%.3f,%.3f",
            entries, bytes, cold, saveSeconds, bytes / saveSeconds / 1e9, entries / saveSeconds,
            quiet.maxSegmentPause().toNanos() / 1e6, seconds(busy.duration().toNanos()),
            busy.maxSegmentPause().toNanos() / 1e6, trafficOps,
            loadSeconds, bytes / loadSeconds / 1e9, entries / loadSeconds, load.loaded(), rawWrite, rawRead);
        System.out.println(HEADER);
        System.out.println(line);
        if (!Files.exists(results))
        {
            Files.writeString(results, HEADER + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(results, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Saves and loads a smaller cache a few times, so that the measured run is compiled code. */
    private static void warmUp(final Path file, final int entries) throws IOException
    {
        for (int round = 0; round < 3; round++)
        {
            try (OffHeapCache cache = OffHeapCache.builder().capacity(Math.max(64L << 20, (long)entries * 190))
                .segments(256).expectedEntrySize(KEY_SIZE + VALUE_SIZE).build())
            {
                fill(cache, entries);
                cache.save(file);
            }
            OffHeapCache.builder().capacity(Math.max(64L << 20, (long)entries * 190)).segments(256)
                .expectedEntrySize(KEY_SIZE + VALUE_SIZE).loadSnapshot(file).build().close();
        }
        Files.delete(file);
    }

    private static void fill(final OffHeapCache cache, final int entries)
    {
        final byte[] key = new byte[KEY_SIZE];
        final byte[] value = new byte[VALUE_SIZE];
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < entries; i++)
        {
            ByteBuffer.wrap(key).putLong(i).putLong(~i);
            ByteBuffer.wrap(value).putLong(random.nextLong());
            cache.put(key, value);
        }
    }

    private static void traffic(
        final OffHeapCache cache, final int entries, final long seed, final AtomicBoolean stop, final LongAdder ops)
    {
        final byte[] key = new byte[KEY_SIZE];
        final byte[] value = new byte[VALUE_SIZE];
        final SplittableRandom random = new SplittableRandom(seed);
        while (!stop.get())
        {
            final int i = random.nextInt(entries);
            ByteBuffer.wrap(key).putLong(i).putLong(~i);
            if (random.nextInt(10) == 0)
            {
                cache.put(key, value);
            }
            else
            {
                cache.get(key, value);
            }
            ops.increment();
        }
    }

    /** @return GB/s of a sequential write of {@code bytes} in 4 MiB buffers, forced to disk */
    private static double rawWrite(final Path file, final long bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
        final long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            for (long left = bytes; left > 0; )
            {
                buffer.clear().limit((int)Math.min(buffer.capacity(), left));
                while (buffer.hasRemaining())
                {
                    left -= channel.write(buffer);
                }
            }
            channel.force(true);
        }
        return bytes / seconds(System.nanoTime() - start) / 1e9;
    }

    /** @return GB/s of a sequential read of the file in 4 MiB buffers */
    private static double rawRead(final Path file) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
        long bytes = 0;
        final long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            for (int read = channel.read(buffer.clear()); read >= 0; read = channel.read(buffer.clear()))
            {
                bytes += read;
            }
        }
        return bytes / seconds(System.nanoTime() - start) / 1e9;
    }

    /** @return true when the page cache was dropped (root only), so that the next read comes from the disk */
    private static boolean dropPageCache()
    {
        if (!Boolean.getBoolean("larder.dropCaches"))
        {
            return false;
        }
        final Path control = Paths.get("/proc/sys/vm/drop_caches");
        try
        {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(control, "3\n");
            return true;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            return false;
        }
    }

    private static double seconds(final long nanos)
    {
        return nanos / 1e9;
    }
}
