package dev.larder.bench;

import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.internal.CollidingKeys;
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
 * Hash flooding (issue 14): put and get on 4096 keys of 192 bytes built to collide under the fast
 * hash for every seed ({@code colliding}), beside 4096 random keys of the same length
 * ({@code ordinary}), in a 256 MiB cache. {@code hash=DEFAULT} is whatever the builder picks by
 * default; it is set through reflection so that this class also compiles against the commit before
 * the keyed hash, which {@code measure.sh flood} builds to measure the "before" column.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar FloodBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true", "-Xmx1g", "-XX:MaxDirectMemorySize=1g"})
public class FloodBenchmark
{
    private static final int GADGETS = 12;

    /** {@code DEFAULT}, or a {@code dev.larder.HashFunction} name. */
    @Param({"DEFAULT", "FAST_TRUSTED_KEYS"})
    public String hash;

    @Param({"colliding", "ordinary"})
    public String keys;

    private OffHeapCache cache;
    private byte[][] keySet;
    private final byte[] value = new byte[16];
    private final byte[] dst = new byte[16];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws ReflectiveOperationException
    {
        final OffHeapCacheBuilder builder = OffHeapCache.builder().capacity(256L << 20);
        if (!"DEFAULT".equals(hash))
        {
            @SuppressWarnings({"unchecked", "rawtypes"})
            final Class<Enum> type = (Class<Enum>)Class.forName("dev.larder.HashFunction");
            @SuppressWarnings("unchecked")
            final Object function = Enum.valueOf(type, hash);
            builder.getClass().getMethod("hashFunction", type).invoke(builder, function);
        }
        cache = builder.build();
        keySet = "colliding".equals(keys) ? CollidingKeys.family(GADGETS) : random(1 << GADGETS, 16 * GADGETS);
        for (final byte[] key : keySet)
        {
            cache.put(key, value);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        cache.close();
    }

    @Benchmark
    public boolean put()
    {
        return cache.put(keySet[next++ & (keySet.length - 1)], value);
    }

    @Benchmark
    public int get()
    {
        return cache.get(keySet[next++ & (keySet.length - 1)], dst);
    }

    private static byte[][] random(final int count, final int length)
    {
        final SplittableRandom random = new SplittableRandom(14);
        final byte[][] keys = new byte[count][length];
        for (final byte[] key : keys)
        {
            random.nextBytes(key);
        }
        return keys;
    }
}
