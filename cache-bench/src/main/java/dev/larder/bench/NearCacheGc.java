package dev.larder.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Heap and GC of a Hazelcast client holding N near-cached 1 KB values: Larder's near cache against
 * Hazelcast's in BINARY and OBJECT formats (see {@link ScaleOut}). A plain main, one JVM per near
 * cache; the member runs in a child JVM that this program starts and stops, so that the heap and the
 * collections measured are the client's alone.
 *
 * <pre>
 * java -Xms4g -Xmx4g -XX:MaxDirectMemorySize=3g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     -cp cache-bench/target/benchmarks.jar dev.larder.bench.NearCacheGc larder 1000000 results.csv 30
 * </pre>
 *
 * Steps: the client fills the map (batches of 1,000), a full GC, then every key is read twice
 * through the near cache (all near-cached: the warm-up), then 2 threads read random keys for the
 * given seconds (all hits), then a timed full GC. One CSV line per run, appended:
 * {@code nearCache, entries, near-cached entries, heap used after the final full GC (MiB), GC count
 * and GC time (ms) during the warm-up, GC count and GC time during the reads, reads per second,
 * full GC time (ms), off-heap bytes of the near cache (MiB; 0 for Hazelcast's)}.
 * {@code -Dnearcache.gc.memberHeap} sets the member JVM's heap (default 4g).
 */
public final class NearCacheGc
{
    private static final int VALUE_SIZE = 1024;
    private static final int BATCH = 1_000;

    private NearCacheGc()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length >= 1 && "member".equals(args[0]))
        {
            runMember();
            return;
        }
        if (args.length < 3)
        {
            throw new IllegalArgumentException(
                "usage: larder|hazelcast-binary|hazelcast-object <entries> <results.csv> [readSeconds]");
        }
        final String nearCache = args[0];
        final int entries = Integer.parseInt(args[1]);
        final Path results = Paths.get(args[2]);
        final int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        if ("none".equals(nearCache))
        {
            throw new IllegalArgumentException("nearCache must be larder, hazelcast-binary or hazelcast-object");
        }

        final Process member = startMemberJvm();
        try
        {
            final String line = measure(nearCache, entries, seconds);
            System.out.println(line);
            Files.createDirectories(results.toAbsolutePath().getParent());
            Files.writeString(results, line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        finally
        {
            member.destroy();
            member.waitFor(30, TimeUnit.SECONDS);
        }
        System.exit(0); // Hazelcast's client threads are not daemons
    }

    private static String measure(final String nearCache, final int entries, final int seconds) throws Exception
    {
        final HazelcastInstance client = ScaleOut.startClient(nearCache);
        try
        {
            final IMap<Long, byte[]> map = client.getMap(ScaleOut.MAP);
            final Map<Long, byte[]> batch = new HashMap<>();
            for (int i = 0; i < entries; i++)
            {
                final byte[] value = new byte[VALUE_SIZE];
                value[0] = (byte)i;
                batch.put((long)i, value);
                if (batch.size() == BATCH || i == entries - 1)
                {
                    map.putAll(batch);
                    batch.clear();
                }
            }
            // 1 KB values and their keys, with the index and headers: 1.25 KB per entry is plenty
            final long capacity = Math.max(64L << 20, entries * 1280L);
            try (ScaleOut.Reader reader = ScaleOut.reader(client, nearCache, capacity))
            {
                System.gc();
                final long warmGcCount = GcMeasurement.gcCount();
                final long warmGcMillis = GcMeasurement.gcMillis();
                for (int pass = 0; pass < 2; pass++)
                {
                    for (long key = 0; key < entries; key++)
                    {
                        if (reader.get().apply(key) == null)
                        {
                            throw new IllegalStateException("missing key " + key);
                        }
                    }
                }
                final long warmCount = GcMeasurement.gcCount() - warmGcCount;
                final long warmMillis = GcMeasurement.gcMillis() - warmGcMillis;
                final long cached = nearCached(client, nearCache, reader);

                final long readGcCount = GcMeasurement.gcCount();
                final long readGcMillis = GcMeasurement.gcMillis();
                final long reads = read(reader, entries, seconds);
                final long readCount = GcMeasurement.gcCount() - readGcCount;
                final long readMillis = GcMeasurement.gcMillis() - readGcMillis;

                final long gcStart = System.nanoTime();
                System.gc();
                final double fullGcMillis = (System.nanoTime() - gcStart) / 1e6;
                final long heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                final double offHeapMiB = reader.larder() != null ?
                    reader.larder().stats().larder().allocatedBytes() / 1048576.0 : 0;
                return String.format(Locale.ROOT, "%s,%d,%d,%.1f,%d,%d,%d,%d,%.0f,%.1f,%.1f", nearCache, entries,
                    cached, heapAfterGc / 1048576.0, warmCount, warmMillis, readCount, readMillis,
                    reads / (double)seconds, fullGcMillis, offHeapMiB);
            }
        }
        finally
        {
            client.shutdown();
        }
    }

    /** @return the entries the near cache holds: all of them, or the measurement is void. */
    private static long nearCached(final HazelcastInstance client, final String nearCache, final ScaleOut.Reader reader)
    {
        if (reader.larder() != null)
        {
            return reader.larder().stats().larder().entryCount();
        }
        return client.getMap(ScaleOut.MAP).getLocalMapStats().getNearCacheStats().getOwnedEntryCount();
    }

    private static long read(final ScaleOut.Reader reader, final int entries, final int seconds)
        throws InterruptedException
    {
        final LongAdder reads = new LongAdder();
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++)
        {
            final long seed = t;
            threads.add(new Thread(() -> {
                final SplittableRandom random = new SplittableRandom(seed);
                long n = 0;
                while (System.nanoTime() < end)
                {
                    for (int i = 0; i < 1000; i++)
                    {
                        reader.get().apply((long)random.nextInt(entries));
                    }
                    n += 1000;
                }
                reads.add(n);
            }));
        }
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        return reads.sum();
    }

    /** Starts {@code NearCacheGc member} in a child JVM and waits until it says it is ready. */
    private static Process startMemberJvm() throws IOException
    {
        final String heap = System.getProperty("nearcache.gc.memberHeap", "4g");
        final List<String> command = List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms" + heap, "-Xmx" + heap, "-Djava.net.preferIPv4Stack=true",
            "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=none",
            "-cp", System.getProperty("java.class.path"), NearCacheGc.class.getName(), "member");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null)
        {
            if ("member ready".equals(line))
            {
                final Thread drain = new Thread(() -> {
                    try
                    {
                        while (out.readLine() != null)
                        {
                            // discard
                        }
                    }
                    catch (final IOException ex)
                    {
                        // the member went away
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return process;
            }
        }
        throw new IllegalStateException("the member JVM exited before it was ready: exit code " + process.exitValue());
    }

    private static void runMember() throws IOException
    {
        ScaleOut.startMember();
        System.out.println("member ready");
        System.out.flush();
        // until the parent destroys this JVM
        while (System.in.read() >= 0)
        {
            // nothing to do
        }
        System.exit(0);
    }
}
