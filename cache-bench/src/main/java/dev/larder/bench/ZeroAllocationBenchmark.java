package dev.larder.bench;

import dev.larder.MemoryBackend;
import dev.larder.OffHeapCache;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
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
 * Steady-state put and copying get on the byte, long and buffer APIs, for both memory backends:
 * run with {@code -prof gc} and read {@code gc.alloc.rate.norm}, the bytes allocated per operation.
 * A prefilled cache of 100k entries, 16-byte keys, 100-byte values.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar ZeroAllocationBenchmark -prof gc
 * </pre>
 *
 * The benchmarks jar's manifest adds the export Agrona needs, and the fork passes it too, so both
 * backends can run; {@code backend=JDK} forces the pure-JDK backend in the same JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=true",
    "-Xmx1g", "-Xms1g"})
public class ZeroAllocationBenchmark
{
    private static final int ENTRIES = 100_000;
    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 100;

    @Param({"AGRONA", "JDK"})
    public MemoryBackend backend;

    private OffHeapCache cache;
    private byte[][] keys;
    private final byte[] value = new byte[VALUE_LENGTH];
    private final byte[] dst = new byte[VALUE_LENGTH];
    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[KEY_LENGTH]);
    private final UnsafeBuffer valueBuffer = new UnsafeBuffer(new byte[VALUE_LENGTH]);
    private final UnsafeBuffer dstBuffer = new UnsafeBuffer(new byte[VALUE_LENGTH]);
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        cache = OffHeapCache.builder().capacity(64L << 20).memoryBackend(backend).hashSeed(1).build();
        keys = new byte[ENTRIES][];
        for (int i = 0; i < ENTRIES; i++)
        {
            keys[i] = new byte[KEY_LENGTH];
            keyBytes(i, keys[i]);
            cache.put(keys[i], value);
            cache.put(i, value);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        cache.close();
    }

    private static void keyBytes(final long key, final byte[] into)
    {
        for (int b = 0; b < 8; b++)
        {
            into[b] = (byte)(key >>> (56 - 8 * b));
            into[8 + b] = (byte)~into[b];
        }
    }

    private int nextIndex()
    {
        final int index = next;
        next = index + 1 == ENTRIES ? 0 : index + 1;
        return index;
    }

    @Benchmark
    public boolean putBytes()
    {
        return cache.put(keys[nextIndex()], value);
    }

    @Benchmark
    public int getBytesInto()
    {
        return cache.get(keys[nextIndex()], dst);
    }

    @Benchmark
    public boolean putLong()
    {
        return cache.put(nextIndex(), value);
    }

    @Benchmark
    public int getLongInto()
    {
        return cache.get(nextIndex(), dst);
    }

    @Benchmark
    public boolean putBuffer()
    {
        keyBuffer.putBytes(0, keys[nextIndex()]);
        return cache.put(keyBuffer, 0, KEY_LENGTH, valueBuffer, 0, VALUE_LENGTH);
    }

    @Benchmark
    public int getBufferInto()
    {
        keyBuffer.putBytes(0, keys[nextIndex()]);
        return cache.get(keyBuffer, 0, KEY_LENGTH, dstBuffer, 0);
    }
}
