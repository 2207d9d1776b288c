package dev.larder;

import dev.larder.internal.CallbackGuard;
import dev.larder.internal.HeapMemory;
import dev.larder.internal.KeyHasher;
import dev.larder.internal.LargeValues;
import dev.larder.internal.MemoryKind;
import dev.larder.internal.OffHeapAllocator;
import dev.larder.internal.ReadGate;
import dev.larder.internal.Segment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of a one-segment cache, checked by Lincheck: the seqlock read path ({@code get}
 * takes no lock; it retries, then takes the lock, when it races a writer), the read gate and close,
 * against a sequential specification ({@link Model}: a HashMap and a closed flag). Lincheck
 * generates small concurrent scenarios of get, put, putIfAbsent, remove, compute and close over
 * keys 1 and 2, runs each many times, and requires every outcome to match some sequential order
 * of the same operations; after each run the segment invariants must hold. Values name their
 * number in every byte, so a torn read shows as a result the model never gives.
 *
 * <ul>
 *   <li><b>Model checking</b> (deterministic: Lincheck chooses every thread switch, at each
 *       shared-memory access and lock) runs on {@link HeapMemory}: the same {@link OffHeapCache},
 *       {@link Segment} and {@link ReadGate}, over a heap array the checker follows in 8-byte
 *       steps, which fails any access after close freed it. Lincheck 3.7's checker cannot run the
 *       production backends: on Agrona it fails looking up {@code SHOULD_BOUNDS_CHECK} (a static
 *       field it searches for in the wrong class), on the JDK backend it rejects the byte-buffer
 *       view {@code VarHandle} ("Unsupported VarHandle type"); and it would not see off-heap
 *       accesses as shared memory anyway. Checked to have teeth: with the seqlock's final version
 *       check removed from {@code OptimisticReads.tryRead}, both model-checking tests report a torn read
 *       ({@code get(1): torn [2, 2, 2, 2, 2, 2, 2, 2, 0, 0, ...]}); with {@code ReadGate.close} not
 *       waiting for readers, a read of freed memory.</li>
 *   <li><b>Stress</b> (real threads, real interleavings) runs on a cache built by the builder, on
 *       each production backend.</li>
 * </ul>
 *
 * A call refused because the cache is closed returns {@link #CLOSED} instead of throwing, so the
 * model states that every operation linearized after close fails with
 * {@code IllegalStateException("cache is closed")}. Runs in its own surefire execution, with the
 * flags Lincheck's agent needs. Budgets are fixed (iterations × invocations below, about a minute
 * in all); docs/verification.md tells how to run longer.
 */
@Param(name = "key", gen = LongGen.class, conf = "1:2")
@Param(name = "value", gen = IntGen.class, conf = "0:3")
public class SeqlockLincheckTest
{
    /** What an operation returns when the cache refused it as closed. */
    static final String CLOSED = "closed";

    private static final long SEED = 7;
    private static final int RING_BYTES = 1024;
    private static final int INDEX_BYTES = 16 * 8;

    /** Multiplies every budget below, for longer runs by hand ({@code -Dlarder.test.lincheckScale=20}); 1 in CI. */
    private static final int SCALE = Integer.getInteger("larder.test.lincheckScale", 1);

    /** Where the caches of the next check live: set by each test before it runs Lincheck. */
    private static volatile MemoryBackend backend;

    private final OffHeapCache cache = backend == null ? onHeapMemory() :
        OffHeapCache.builder().capacity(8192).segments(1).hashSeed(SEED).ticker(() -> 0L).memoryBackend(backend)
            .build();

    /** A one-segment cache on {@link HeapMemory}, built as the builder builds one, freed by close. */
    private static OffHeapCache onHeapMemory()
    {
        final HeapMemory ring = new HeapMemory(RING_BYTES);
        final HeapMemory index = new HeapMemory(INDEX_BYTES);
        final ReadGate gate = new ReadGate(1);
        final CallbackGuard guard = new CallbackGuard();
        final Segment segment = new Segment(ring, index, () -> 0L, null, gate, guard);
        final OffHeapAllocator allocator = new OffHeapAllocator()
        {
            @Override
            public long allocatedBytes()
            {
                return RING_BYTES + INDEX_BYTES;
            }

            @Override
            public ByteBuffer allocate(final int bytes)
            {
                throw new UnsupportedOperationException();
            }

            @Override
            public void freeAll()
            {
                ring.free();
                index.free();
            }
        };
        final Segment[] segments = {segment};
        final KeyHasher hasher = KeyHasher.seeded(HashFunction.FAST_TRUSTED_KEYS, SEED);
        return new OffHeapCache(segments, gate, guard, new LargeValues(segments, hasher, guard, true), hasher, 0,
            RING_BYTES + INDEX_BYTES, INDEX_BYTES, MemoryKind.JDK, allocator, null);
    }

    /**
     * A value that names its number in every byte: 16 bytes, or 24 for 3. A value that fits the
     * current record overwrites it in place, where a reader racing the copy could see torn bytes
     * (memory is copied in 8-byte steps); 3 over a shorter value moves the entry to a new record.
     */
    static byte[] value(final int number)
    {
        final byte[] bytes = new byte[number == 3 ? 24 : 16];
        Arrays.fill(bytes, (byte)number);
        return bytes;
    }

    /** @return the number a value was made from, null for null, or a description of torn bytes */
    static Object number(final byte[] bytes)
    {
        if (bytes == null)
        {
            return null;
        }
        final int number = bytes.length == 0 ? -1 : bytes[0];
        return number >= 0 && Arrays.equals(value(number), bytes) ? (Object)number : "torn " + Arrays.toString(bytes);
    }

    private static Object closed(final IllegalStateException ex)
    {
        if (!"cache is closed".equals(ex.getMessage()))
        {
            throw ex;
        }
        return CLOSED;
    }

    @Operation
    public Object get(@Param(name = "key") final long key)
    {
        try
        {
            return number(cache.get(key));
        }
        catch (final IllegalStateException ex)
        {
            return closed(ex);
        }
    }

    @Operation
    public Object put(@Param(name = "key") final long key, @Param(name = "value") final int value)
    {
        try
        {
            return cache.put(key, value(value));
        }
        catch (final IllegalStateException ex)
        {
            return closed(ex);
        }
    }

    @Operation
    public Object putIfAbsent(@Param(name = "key") final long key, @Param(name = "value") final int value)
    {
        try
        {
            return cache.putIfAbsent(key, value(value));
        }
        catch (final IllegalStateException ex)
        {
            return closed(ex);
        }
    }

    @Operation
    public Object remove(@Param(name = "key") final long key)
    {
        try
        {
            return cache.remove(key);
        }
        catch (final IllegalStateException ex)
        {
            return closed(ex);
        }
    }

    @Operation
    public Object compute(@Param(name = "key") final long key, @Param(name = "value") final int value)
    {
        try
        {
            return number(cache.compute(key, current -> Model.remap(current, value)));
        }
        catch (final IllegalStateException ex)
        {
            return closed(ex);
        }
    }

    @Operation
    public void close()
    {
        cache.close();
    }

    /** Run by Lincheck once at the end of each scenario run: ring and index still agree; then frees the cache. */
    @Validate
    public void invariantsHoldThenClose()
    {
        if (!cache.isClosed())
        {
            cache.verifyInvariants();
            cache.close();
        }
    }

    /** The sequential specification: a map, and a flag that refuses every call once set. */
    public static class Model
    {
        private final Map<Long, byte[]> map = new HashMap<>();
        private boolean closed;

        /** The remapping of {@code compute}: 0 removes, the current number keeps the entry, another replaces it. */
        static byte[] remap(final byte[] current, final int value)
        {
            if (value == 0)
            {
                return null;
            }
            return current != null && current.length > 0 && current[0] == value ? current : value(value);
        }

        public Object get(final long key)
        {
            return closed ? CLOSED : number(map.get(key));
        }

        public Object put(final long key, final int value)
        {
            if (closed)
            {
                return CLOSED;
            }
            map.put(key, value(value));
            return true;
        }

        public Object putIfAbsent(final long key, final int value)
        {
            return closed ? CLOSED : map.putIfAbsent(key, value(value)) == null;
        }

        public Object remove(final long key)
        {
            return closed ? CLOSED : map.remove(key) != null;
        }

        public Object compute(final long key, final int value)
        {
            return closed ? CLOSED : number(map.compute(key, (k, current) -> remap(current, value)));
        }

        public void close()
        {
            closed = true;
        }
    }

    private static ModelCheckingOptions modelChecking()
    {
        return new ModelCheckingOptions()
            .threads(2)
            .sequentialSpecification(Model.class)
            .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(HeapMemory.class.getName())
                .methods(HeapMemory.ATOMIC_METHODS).treatAsAtomic());
    }

    private static StressOptions stress()
    {
        return new StressOptions()
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .sequentialSpecification(Model.class);
    }

    /** Many short scenarios (one operation per thread after one): each explored over 300 interleavings. */
    @Test
    void modelCheckingShortScenarios()
    {
        backend = null;
        modelChecking().actorsBefore(1).actorsPerThread(1).actorsAfter(0)
            .iterations(100 * SCALE).invocationsPerIteration(300).check(getClass());
    }

    /** Fewer longer scenarios: three operations per thread, two before, one after. */
    @Test
    void modelCheckingLongerScenarios()
    {
        backend = null;
        modelChecking().actorsBefore(2).actorsPerThread(3).actorsAfter(1)
            .iterations(30 * SCALE).invocationsPerIteration(300).check(getClass());
    }

    @Test
    void stressOnTheJdkBackend()
    {
        backend = MemoryBackend.JDK;
        stress().iterations(20 * SCALE).invocationsPerIteration(300).check(getClass());
    }

    @Test
    void stressOnTheAgronaBackend()
    {
        backend = MemoryBackend.AGRONA;
        stress().iterations(20 * SCALE).invocationsPerIteration(300).check(getClass());
    }
}
