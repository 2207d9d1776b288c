package dev.larder.bench;

import dev.larder.bench.peers.ByteCache;
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
 * The adaptive policy against second chance in one JVM, iteration by iteration: two caches built
 * and prefilled alike, {@code larder} (ADAPTIVE) and {@code larder-second-chance}, take turns, one
 * 1-second iteration each (ADAPTIVE first), with {@link PeersBenchmark}'s operations and key
 * streams. {@link PolicyPairTable} reads the JSON and compares each iteration with the next.
 *
 * <p>Why pairs: on this 2-vCPU virtual machine, two threads that read and write the same memory run
 * up to 4 times slower while the hypervisor places the two vCPUs apart, for seconds at a time and
 * in any process (a 30-line probe of two threads over a shared 4 MiB array does the same: 157M
 * against 620M accesses per second). Forks of one mode then fall into a fast and a slow group, and
 * a ratio of fork means measures which forks were unlucky. Iterations a second apart run under the
 * same placement nearly always, so the ratio of neighbours measures the policy.
 *
 * <p>Both modes run the same classes in one JVM, so the JIT sees two ring and policy types where a
 * cache of one mode shows it one; the cost of that is in both columns alike.
 *
 * <pre>
 * java -jar cache-bench/target/benchmarks.jar PolicyPairBenchmark -t 2 -prof gc -rf json -rff pairs.json
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.PolicyPairTable pairs.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 20, time = 1)
@Measurement(iterations = 40, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "-Xmx2g", "-Xms2g", "-XX:MaxDirectMemorySize=4g", "-Dagrona.disable.bounds.checks=true",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class PolicyPairBenchmark
{
    /** The cache that runs the even iterations, counted from the first warm-up iteration. */
    @Param({"larder"})
    public String cache;

    /** The cache that runs the odd iterations; the same kind twice makes an A/A test of the method. */
    @Param({"larder-second-chance"})
    public String against;

    @Param({"small", "large"})
    public String workingSet;

    @Param({"100"})
    public int valueSize;

    @Param({"uniform"})
    public String distribution;

    private ByteCache first;
    private ByteCache second;
    private ByteCache active;
    private int iterations;
    private int entries;
    private final AtomicInteger threadSeeds = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp()
    {
        entries = PeersBenchmark.entries(workingSet, valueSize);
        first = PeersBenchmark.prefilled(cache, entries, valueSize);
        second = PeersBenchmark.prefilled(against, entries, valueSize);
    }

    /** Hands the next iteration to the other cache; JMH runs this before the threads start. */
    @Setup(Level.Iteration)
    public void alternate()
    {
        active = iterations++ % 2 == 0 ? first : second;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        first.close();
        second.close();
    }

    /** Per-thread key stream and buffers ({@link ThreadKeys}). */
    @State(Scope.Thread)
    public static class ThreadState extends ThreadKeys
    {
        @Setup(Level.Trial)
        public void setUp(final PolicyPairBenchmark benchmark)
        {
            init(benchmark.distribution, benchmark.entries, benchmark.valueSize,
                31L * benchmark.threadSeeds.incrementAndGet());
        }
    }

    @Benchmark
    public int get(final ThreadState state)
    {
        return state.get(active);
    }

    @Benchmark
    public void put(final ThreadState state)
    {
        state.put(active);
    }

    /** 90% reads, 10% writes: every tenth draw is a put. */
    @Benchmark
    public int mixed(final ThreadState state)
    {
        return state.mixed(active);
    }
}
