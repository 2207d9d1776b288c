package dev.larder.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
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
 * Get throughput of a near-cache hit on a Hazelcast client: Larder's off-heap near cache, Hazelcast's
 * own near cache in BINARY and OBJECT formats, and a plain client {@code IMap.get} with no near cache
 * (see {@link ScaleOut} for the set-ups), in one run. One member runs in the benchmark's JVM
 * ({@code @Setup}); the map holds 10,000 {@code Long} keys with 1 KB {@code byte[]} values, all
 * near-cached before measuring (the plain get crosses the loopback to the member every time). Keys
 * are drawn uniformly, a stream per thread; threads from {@code -t}.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar NearCacheBenchmark -t 1 -prof gc
 * java -jar cache-bench/target/benchmarks.jar NearCacheBenchmark -t 2 -prof gc
 * </pre>
 *
 * ({@code cache-bench/measure.sh scaleout} runs both into {@code cache-bench/results/scaleout-t1.json}
 * and {@code -t2.json}; the tables go to docs/scale-out.md.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=true",
    "-Djava.net.preferIPv4Stack=true", "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=none",
    "-Xmx2g", "-Xms2g"})
public class NearCacheBenchmark
{
    static final int ENTRIES = 10_000;
    static final int VALUE_SIZE = 1024;

    @Param({"larder", "hazelcast-binary", "hazelcast-object", "none"})
    public String nearCache;

    private HazelcastInstance member;
    private HazelcastInstance client;
    private ScaleOut.Reader reader;
    private Long[] keys;

    @Setup(Level.Trial)
    public void setUp()
    {
        member = ScaleOut.startMember();
        final IMap<Long, byte[]> map = member.getMap(ScaleOut.MAP);
        keys = new Long[ENTRIES];
        final Map<Long, byte[]> batch = new HashMap<>();
        for (int i = 0; i < ENTRIES; i++)
        {
            keys[i] = (long)i;
            final byte[] value = new byte[VALUE_SIZE];
            value[0] = (byte)i;
            batch.put(keys[i], value);
        }
        map.putAll(batch);
        client = ScaleOut.startClient(nearCache);
        reader = ScaleOut.reader(client, nearCache, 64L << 20);
        for (int pass = 0; pass < 2; pass++) // Hazelcast's near cache stores on a key's second read at the latest
        {
            for (final Long key : keys)
            {
                if (reader.get().apply(key) == null)
                {
                    throw new IllegalStateException("missing key " + key);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        reader.close();
        client.shutdown();
        member.shutdown();
    }

    /** This thread's key stream. */
    @State(Scope.Thread)
    public static class Draws
    {
        private final int[] indexes = new int[1 << 16];
        private int next;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
            for (int i = 0; i < indexes.length; i++)
            {
                indexes[i] = random.nextInt(ENTRIES);
            }
        }

        int next()
        {
            return indexes[next++ & (indexes.length - 1)];
        }
    }

    @Benchmark
    public byte[] get(final Draws draws)
    {
        return reader.get().apply(keys[draws.next()]);
    }
}
