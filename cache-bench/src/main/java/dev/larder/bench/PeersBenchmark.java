package dev.larder.bench;

import dev.larder.bench.peers.ByteCache;
import dev.larder.bench.peers.Peers;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Larder beside its peers, same workload, same run: prefilled caches, {@code get}, {@code put} and
 * a 90/10 mix, uniform or Zipf (s = 0.99) keys, 16-byte keys with 100 B, 1 KB or 16 KB values, a
 * working set that fits in the CPU caches ({@code small}: 2 MiB of values) or not ({@code large}:
 * 1M entries, at most 1 GiB of values). Threads come from {@code -t}. Every cache is driven through
 * byte arrays; see {@link Peers} for each adapter.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar PeersBenchmark -t 2 -prof gc \
 *     -p valueSize=100 -p workingSet=large -p distribution=zipf
 * </pre>
 *
 * The fork passes the flags Chronicle Map needs on Java 17 and the export Agrona's fast path needs;
 * {@code larder-jdk} forces Larder's pure-JDK backend in the same JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "-Xmx6g", "-Xms6g", "-XX:MaxDirectMemorySize=8g",
    "-Dagrona.disable.bounds.checks=true", "-Dchronicle.analytics.disable=true",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED"})
public class PeersBenchmark
{
    @Param({"larder", "larder-jdk", "caffeine", "ohc", "chronicle", "ehcache", "chm"})
    public String cache;

    @Param({"100", "1024", "16384"})
    public int valueSize;

    @Param({"small", "large"})
    public String workingSet;

    @Param({"zipf", "uniform"})
    public String distribution;

    private ByteCache store;
    private int entries;
    private final AtomicInteger threadSeeds = new AtomicInteger();

    /** @return entries for a working set: 2 MiB of values, or 1M entries capped at 1 GiB of values. */
    static int entries(final String workingSet, final int valueSize)
    {
        switch (workingSet)
        {
            case "small":
                return Math.max(64, (2 << 20) / valueSize);
            case "large":
                return (int)Math.min(1_000_000, (1L << 30) / valueSize);
            default:
                throw new IllegalArgumentException("workingSet must be small or large: " + workingSet);
        }
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        entries = entries(workingSet, valueSize);
        store = prefilled(cache, entries, valueSize);
    }

    /**
     * @return cache {@code cache} holding keys 0 .. entries - 1, each with a value of {@code valueSize}
     *     bytes whose first byte is the key number's low byte
     */
    static ByteCache prefilled(final String cache, final int entries, final int valueSize)
    {
        final ByteCache store = Peers.create(cache, entries, valueSize);
        final byte[] value = new byte[valueSize];
        for (int i = 0; i < entries; i++)
        {
            value[0] = (byte)i;
            store.put(i, value);
        }
        if (store.size() < entries)
        {
            throw new IllegalStateException(cache + " holds " + store.size() + " of " + entries + " prefilled entries");
        }
        return store;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }

    /** Per-thread key stream and buffers ({@link ThreadKeys}). */
    @State(Scope.Thread)
    public static class ThreadState extends ThreadKeys
    {
        @Setup(Level.Trial)
        public void setUp(final PeersBenchmark benchmark)
        {
            init(benchmark.distribution, benchmark.entries, benchmark.valueSize,
                31L * benchmark.threadSeeds.incrementAndGet());
        }
    }

    @Benchmark
    public int get(final ThreadState state)
    {
        return state.get(store);
    }

    @Benchmark
    public void put(final ThreadState state)
    {
        state.put(store);
    }

    /** 90% reads, 10% writes: every tenth draw is a put. */
    @Benchmark
    public int mixed(final ThreadState state)
    {
        return state.mixed(store);
    }
}
