package dev.larder.bench;

import dev.larder.bench.peers.ByteCache;
import dev.larder.bench.peers.Keys;
import java.util.concurrent.TimeUnit;
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
 * A get as a user meets it (issue 13), beside the get {@link PeersBenchmark} measures, same caches,
 * same run. {@link PeersBenchmark#get} hands an on-heap map the very key object it stored (its hash
 * is cached and {@code equals} returns on identity, so the key's bytes are never read) and lets it
 * return a reference that nobody reads (the value's bytes are never touched). {@link #fairGet}
 * removes both shortcuts for every cache:
 * <ul>
 *   <li>the key's 16 bytes are written fresh into a per-thread buffer for each call, as a request
 *       parser would; Larder looks that buffer up ({@code get(byte[], byte[])}), an on-heap map gets
 *       a new {@link Keys.Wrapped} over it, which hashes the bytes and is compared by content with
 *       the stored key (so the stored key's array is read);</li>
 *   <li>the value ends up in the caller's {@code byte[]}: Larder and OHC copy into it themselves
 *       (OHC through its own fresh array), an on-heap map's stored array is copied with
 *       {@code System.arraycopy}.</li>
 * </ul>
 * {@link #storedKeyGet} is {@link PeersBenchmark#get} through the same adapters, so that the price
 * of the shortcuts shows in one run. One thread, 100-byte values, uniform keys; {@code large} is the
 * issue's 1M entries (about 100 MB of values, far beyond the CPU caches: a get is bounded by its
 * dependent memory accesses, counted in docs/read-path.md), {@code small} the cache-resident 2 MiB.
 * An on-heap map's lookup key is a small allocation per call (see {@code gc.alloc.rate.norm} under
 * {@code -prof gc}); Larder's must stay at 0 B/op once compiled (a run without warm-up shows the
 * interpreter's allocations).
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar FairGetBenchmark -t 1 -prof gc \
 *     -p cache=larder,caffeine,chm -p workingSet=large,small
 * </pre>
 *
 * {@code cache-bench/measure.sh fairget} runs it three times, interleaved.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "-Xmx6g", "-Xms6g", "-XX:MaxDirectMemorySize=8g",
    "-Dagrona.disable.bounds.checks=true",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class FairGetBenchmark
{
    /** Bytes per value: the case. */
    static final int VALUE_SIZE = 100;

    @Param({"larder", "caffeine", "chm", "ohc"})
    public String cache;

    @Param({"large", "small"})
    public String workingSet;

    private ByteCache store;
    private int entries;

    @Setup(Level.Trial)
    public void setUp()
    {
        entries = PeersBenchmark.entries(workingSet, VALUE_SIZE);
        store = PeersBenchmark.prefilled(cache, entries, VALUE_SIZE);
        // every key must be found by content and its value copied, or fairGet would measure misses
        final byte[] key = new byte[Keys.LENGTH];
        final byte[] dst = new byte[VALUE_SIZE];
        for (int i = 0; i < entries; i++)
        {
            Keys.fill(i, key);
            if (store.getInto(key, dst) != VALUE_SIZE || dst[0] != (byte)i)
            {
                throw new IllegalStateException(
                    cache + " did not copy the value of key " + i + " into the caller's array");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }

    /** Per-thread key stream, key buffer and destination. */
    @State(Scope.Thread)
    public static class ThreadState
    {
        int[] indexes;
        int next;
        final byte[] key = new byte[Keys.LENGTH];
        final byte[] dst = new byte[VALUE_SIZE];

        @Setup(Level.Trial)
        public void setUp(final FairGetBenchmark benchmark)
        {
            indexes = KeyStream.draw("uniform", benchmark.entries, 0.99, 31L);
        }

        int nextKey()
        {
            final int key = indexes[next];
            next = (next + 1) & (KeyStream.SIZE - 1);
            return key;
        }
    }

    /** The key's bytes built fresh, looked up by content, the value copied into the caller's array. */
    @Benchmark
    public int fairGet(final ThreadState state)
    {
        Keys.fill(state.nextKey(), state.key);
        return store.getInto(state.key, state.dst);
    }

    /** {@link PeersBenchmark#get}: the stored key object, and for on-heap maps no copy. */
    @Benchmark
    public int storedKeyGet(final ThreadState state)
    {
        return store.get(state.nextKey(), state.dst);
    }
}
