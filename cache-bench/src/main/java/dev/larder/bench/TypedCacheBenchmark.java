package dev.larder.bench;

import dev.larder.Cache;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bytes allocated per operation by the typed API: {@code Cache<Long, byte[]>} and
 * {@code Cache<String, String>} put and get on a prefilled cache of 100k entries (100-byte values,
 * 16-character string keys). Keys are boxed and built up front, so what is measured is what the
 * cache allocates: nothing for put; the decoded value for get.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar TypedCacheBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=true",
    "-Xmx1g", "-Xms1g"})
public class TypedCacheBenchmark
{
    private static final int ENTRIES = 100_000;

    private Cache<Long, byte[]> longs;
    private Cache<String, String> strings;
    private Long[] longKeys;
    private String[] stringKeys;
    private final byte[] bytesValue = new byte[100];
    private final String stringValue = "v".repeat(100);
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        longs = OffHeapCache.builder().capacity(64L << 20).build(Codecs.longs(), Codecs.byteArray());
        strings = OffHeapCache.builder().capacity(64L << 20).build(Codecs.utf8(), Codecs.utf8());
        longKeys = new Long[ENTRIES];
        stringKeys = new String[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            longKeys[i] = (long)i;
            stringKeys[i] = String.format("key-%012d", i);
            longs.put(longKeys[i], bytesValue);
            strings.put(stringKeys[i], stringValue);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        longs.close();
        strings.close();
    }

    private int nextIndex()
    {
        final int index = next;
        next = index + 1 == ENTRIES ? 0 : index + 1;
        return index;
    }

    @Benchmark
    public boolean putLongBytes()
    {
        return longs.put(longKeys[nextIndex()], bytesValue);
    }

    @Benchmark
    public byte[] getLongBytes()
    {
        return longs.get(longKeys[nextIndex()]);
    }

    @Benchmark
    public boolean putStringString()
    {
        return strings.put(stringKeys[nextIndex()], stringValue);
    }

    @Benchmark
    public String getStringString()
    {
        return strings.get(stringKeys[nextIndex()]);
    }

    @Benchmark
    public int readStringLength()
    {
        return strings.read(stringKeys[nextIndex()], value -> value.capacity());
    }
}
