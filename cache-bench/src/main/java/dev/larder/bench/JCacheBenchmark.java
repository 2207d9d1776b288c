package dev.larder.bench;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.jcache.configuration.CaffeineConfiguration;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import dev.larder.jcache.LarderConfiguration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
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
 * What JCache costs: {@code get} and {@code put} through Larder's JCache provider beside Larder's
 * typed {@link dev.larder.Cache}, and through Caffeine's JCache provider beside Caffeine itself, in
 * one run, on the same keys and values: {@code Long} keys (boxed up front), 100-byte {@code byte[]}
 * values, 100,000 entries prefilled, uniform or Zipf (s = 0.99) key draws.
 *
 * <table>
 *   <caption>The caches ({@code -p cache=...})</caption>
 *   <tr><th>cache</th><th>what</th></tr>
 *   <tr><td>{@code larder-jcache}</td><td>Larder's provider ({@code dev.larder.jcache.LarderCachingProvider}),
 *       a {@link LarderConfiguration}: 64 MiB, 64 segments, {@code Long}/{@code byte[]} types (Larder's
 *       built-in codecs)</td></tr>
 *   <tr><td>{@code larder}</td><td>Larder's typed cache, same capacity, segments and codecs</td></tr>
 *   <tr><td>{@code caffeine-jcache}</td><td>Caffeine's provider
 *       ({@code com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider}), a
 *       {@code CaffeineConfiguration} bounded at 200,000 entries, store-by-value (JCache's default, and
 *       the only mode Larder has: a {@code byte[]} is cloned on the way in and out)</td></tr>
 *   <tr><td>{@code caffeine}</td><td>Caffeine's own {@code Cache}, bounded at 200,000 entries, by
 *       reference: the floor under everything else</td></tr>
 * </table>
 *
 * Two JCache providers are on the class path, so each cache is created through
 * {@link Caching#getCachingProvider(String)} with its provider's class name. Statistics are off, as
 * they are by default. Threads come from {@code -t}; each thread draws its own key stream.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl cache-bench -am
 * java -jar cache-bench/target/benchmarks.jar JCacheBenchmark -t 1 -prof gc
 * </pre>
 *
 * ({@code cache-bench/measure.sh jcache} runs exactly that and writes {@code cache-bench/results/jcache.json}.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=true",
    "-Xmx2g", "-Xms2g"})
public class JCacheBenchmark
{
    /** Larder's JCache provider. */
    static final String LARDER_PROVIDER = "dev.larder.jcache.LarderCachingProvider";
    /** Caffeine's JCache provider. */
    static final String CAFFEINE_PROVIDER = "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";

    static final int ENTRIES = 100_000;
    static final int VALUE_SIZE = 100;
    private static final long CAPACITY = 64L << 20;
    private static final int SEGMENTS = 64;

    @Param({"larder-jcache", "larder", "caffeine-jcache", "caffeine"})
    public String cache;

    @Param({"uniform", "zipf"})
    public String distribution;

    private Store store;
    private Long[] keys;
    private final AtomicInteger threadSeeds = new AtomicInteger();

    /** The two operations measured, over each kind of cache. */
    interface Store extends AutoCloseable
    {
        byte[] get(Long key);

        void put(Long key, byte[] value);

        @Override
        void close();
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        store = create(cache);
        keys = new Long[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            keys[i] = (long)i;
            final byte[] value = new byte[VALUE_SIZE];
            value[0] = (byte)i;
            store.put(keys[i], value);
        }
        for (final Long key : keys)
        {
            if (store.get(key) == null)
            {
                throw new IllegalStateException(cache + " lost prefilled key " + key);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }

    /** @return the cache named by {@code -p cache=...}, empty. */
    static Store create(final String cache)
    {
        switch (cache)
        {
            case "larder-jcache":
                return jcache(LARDER_PROVIDER, new LarderConfiguration<Long, byte[]>()
                    .setCapacity(CAPACITY)
                    .setSegments(SEGMENTS)
                    .setExpectedEntrySize(Long.BYTES + VALUE_SIZE)
                    .setTypes(Long.class, byte[].class));
            case "larder":
                return larder();
            case "caffeine-jcache":
                final CaffeineConfiguration<Long, byte[]> configuration = new CaffeineConfiguration<>();
                configuration.setTypes(Long.class, byte[].class);
                configuration.setStoreByValue(true);
                configuration.setMaximumSize(OptionalLong.of(2L * ENTRIES));
                return jcache(CAFFEINE_PROVIDER, configuration);
            case "caffeine":
                return caffeine();
            default:
                throw new IllegalArgumentException(
                    "cache must be larder-jcache, larder, caffeine-jcache or caffeine: cache=" + cache);
        }
    }

    private static Store jcache(
        final String providerClass, final javax.cache.configuration.Configuration<Long, byte[]> configuration)
    {
        final CachingProvider provider = Caching.getCachingProvider(providerClass);
        final CacheManager manager = provider.getCacheManager();
        final javax.cache.Cache<Long, byte[]> jcache = manager.createCache("bench", configuration);
        return new Store()
        {
            @Override
            public byte[] get(final Long key)
            {
                return jcache.get(key);
            }

            @Override
            public void put(final Long key, final byte[] value)
            {
                jcache.put(key, value);
            }

            @Override
            public void close()
            {
                manager.destroyCache("bench");
                provider.close();
            }
        };
    }

    private static Store larder()
    {
        final dev.larder.Cache<Long, byte[]> larder = OffHeapCache.builder()
            .capacity(CAPACITY)
            .segments(SEGMENTS)
            .expectedEntrySize(Long.BYTES + VALUE_SIZE)
            .build(Codecs.longs(), Codecs.byteArray());
        return new Store()
        {
            @Override
            public byte[] get(final Long key)
            {
                return larder.get(key);
            }

            @Override
            public void put(final Long key, final byte[] value)
            {
                larder.put(key, value);
            }

            @Override
            public void close()
            {
                larder.close();
            }
        };
    }

    private static Store caffeine()
    {
        final com.github.benmanes.caffeine.cache.Cache<Long, byte[]> caffeine =
            Caffeine.newBuilder().maximumSize(2L * ENTRIES).build();
        return new Store()
        {
            @Override
            public byte[] get(final Long key)
            {
                return caffeine.getIfPresent(key);
            }

            @Override
            public void put(final Long key, final byte[] value)
            {
                caffeine.put(key, value);
            }

            @Override
            public void close()
            {
                caffeine.invalidateAll();
            }
        };
    }

    /** Per-thread key stream and the value to put. */
    @State(Scope.Thread)
    public static class ThreadState
    {
        int[] indexes;
        int next;
        final byte[] value = new byte[VALUE_SIZE];

        @Setup(Level.Trial)
        public void setUp(final JCacheBenchmark benchmark)
        {
            indexes = KeyStream.draw(benchmark.distribution, ENTRIES, 0.99,
                31L * benchmark.threadSeeds.incrementAndGet());
        }

        int nextIndex()
        {
            final int index = indexes[next];
            next = (next + 1) & (KeyStream.SIZE - 1);
            return index;
        }
    }

    @Benchmark
    public byte[] get(final ThreadState state)
    {
        return store.get(keys[state.nextIndex()]);
    }

    @Benchmark
    public void put(final ThreadState state)
    {
        store.put(keys[state.nextIndex()], state.value);
    }
}
