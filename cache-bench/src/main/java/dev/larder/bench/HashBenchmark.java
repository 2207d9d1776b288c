package dev.larder.bench;

import dev.larder.HashFunction;
import dev.larder.internal.KeyHasher;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What each key hash costs per key length, side by side in one run: the keyed SipHash-1-3 (the
 * default) against the fast hash it replaced as the default. Each call hashes
 * the next of 1024 random keys of {@code keyLength} bytes, so the keys sit in L1 and the figure is
 * the hash alone.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar HashBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HashBenchmark
{
    private static final int KEYS = 1024;

    @Param({"FAST_TRUSTED_KEYS", "SIPHASH_1_3"})
    public HashFunction function;

    @Param({"8", "16", "64", "256"})
    public int keyLength;

    private KeyHasher hasher;
    private byte[][] keys;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        hasher = KeyHasher.random(function);
        final SplittableRandom random = new SplittableRandom(keyLength);
        keys = new byte[KEYS][keyLength];
        for (final byte[] key : keys)
        {
            random.nextBytes(key);
        }
    }

    @Benchmark
    public long hash()
    {
        final byte[] key = keys[next++ & (KEYS - 1)];
        return hasher.hash(key, 0, key.length);
    }
}
