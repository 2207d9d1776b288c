package dev.larder.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.larder.OffHeapCache;
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
 * Issue 11: get and put of 64 KiB, 1 MiB and 16 MiB values, Larder beside Caffeine holding the same
 * {@code byte[]}s, in one run. Each cache is prefilled with 256 MiB of values under {@code long}
 * keys and sized to hold them all (Larder: 640 MiB over the default 256 segments, so 64 KiB values
 * are ordinary records and 1 MiB and 16 MiB values are large values, in chunks). Both gets copy the
 * value into the caller's array (Larder's {@code get(key, dst)}; Caffeine's {@code getIfPresent}
 * then {@code System.arraycopy}); Larder's put copies the value in, Caffeine's stores the reference.
 * Run with {@code -prof gc}: Larder's {@code gc.alloc.rate.norm} is about 0 B/op for both.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar LargeValueBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=true",
    "-Xmx2g", "-Xms2g", "-XX:MaxDirectMemorySize=1g"})
public class LargeValueBenchmark
{
    /** Bytes of values each cache holds. */
    private static final long HELD = 256L << 20;
    /**
     * Larder's capacity: room for every value, an overwrite's new copy and the records it leaves
     * deleted until the ring comes round, so that nothing is evicted (checked at the end).
     */
    private static final long CAPACITY = 640L << 20;

    @Param({"65536", "1048576", "16777216"})
    public int valueSize;

    @Param({"larder", "caffeine"})
    public String cache;

    private OffHeapCache larder;
    private Cache<Long, byte[]> caffeine;
    private int entries;
    private byte[] value;
    private byte[] dst;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        entries = (int)Math.max(4, HELD / valueSize);
        value = new byte[valueSize];
        for (int i = 0; i < valueSize; i++)
        {
            value[i] = (byte)(i * 31);
        }
        dst = new byte[valueSize];
        if ("larder".equals(cache))
        {
            larder = OffHeapCache.builder().capacity(CAPACITY).expectedEntrySize(Math.min(valueSize, 4096))
                .hashSeed(1).build();
            for (long key = 0; key < entries; key++)
            {
                if (!larder.put(key, value))
                {
                    throw new IllegalStateException("refused: " + larder);
                }
            }
        }
        else
        {
            caffeine = Caffeine.newBuilder().maximumSize(entries).build();
            for (long key = 0; key < entries; key++)
            {
                caffeine.put(key, value.clone());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (larder != null)
        {
            if (larder.get(0L, dst) != valueSize || larder.stats().evictionCount() != 0)
            {
                throw new IllegalStateException("the benchmark must not evict: " + larder.stats());
            }
            larder.close();
        }
    }

    private long nextKey()
    {
        final int key = next;
        next = key + 1 == entries ? 0 : key + 1;
        return key;
    }

    /** @return the value's length, copied into the caller's array */
    @Benchmark
    public int get()
    {
        final long key = nextKey();
        if (larder != null)
        {
            return larder.get(key, dst);
        }
        final byte[] found = caffeine.getIfPresent(key);
        System.arraycopy(found, 0, dst, 0, found.length);
        return found.length;
    }

    /** Overwrites an entry with a value of the same size. */
    @Benchmark
    public boolean put()
    {
        final long key = nextKey();
        if (larder != null)
        {
            return larder.put(key, value);
        }
        caffeine.put(key, value);
        return true;
    }
}
