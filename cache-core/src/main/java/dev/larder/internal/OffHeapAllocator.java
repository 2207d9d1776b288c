package dev.larder.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Allocates a cache's off-heap memory and frees it <em>at once</em> on {@link #freeAll()}, not at
 * some later GC, with no JVM flag and no warning on JDK 17 to 25.
 *
 * <h2>Strategies</h2>
 * <ul>
 *   <li>JDK 22 and later: one shared {@code java.lang.foreign.Arena} per cache; buffers are
 *       {@code MemorySegment.asByteBuffer()} views and {@code Arena.close()} frees them. A view
 *       touched after close throws {@link IllegalStateException} instead of reading freed memory.
 *       (Reached through method handles because the code is compiled for Java 17.)</li>
 *   <li>JDK 17 to 21: {@link ByteBuffer#allocateDirect}, freed by the buffer's cleaner through
 *       {@code sun.misc.Unsafe.invokeCleaner}; that method is terminally deprecated and warns on
 *       JDK 24+, which is why it is used only below JDK 22. This class is the only place in the
 *       code base that names {@code sun.misc.Unsafe} (a test enforces it).</li>
 * </ul>
 *
 * <h2>Direct-memory limit</h2>
 * Both strategies honour {@code -XX:MaxDirectMemorySize}: {@link #checkAvailable(long, String)}
 * refuses up front a request that would not fit, with a message naming the flag, so a cache that
 * cannot be built allocates nothing. Arena memory is not counted by the JDK's own direct-memory
 * accounting, so Larder adds what its arenas hold.
 *
 * <h2>Concurrency</h2>
 * Allocation happens in the building thread; {@link #freeAll()} is called once, by close, while
 * the cache holds every segment lock. The instance itself is not thread-safe.
 */
public abstract class OffHeapAllocator
{
    /** Bytes held by Larder arenas in this JVM (the JDK's direct-buffer pool does not see them). */
    private static final AtomicLong ARENA_BYTES = new AtomicLong();

    private static final Strategy STRATEGY = Strategy.detect();

    /** @return a new allocator for one cache. */
    public static OffHeapAllocator create()
    {
        return STRATEGY == Strategy.ARENA ? new ArenaAllocator() : new CleanerAllocator();
    }

    /** @return the name of the strategy this JVM uses, for diagnostics. */
    static String strategyName()
    {
        return STRATEGY.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param bytes the bytes a cache is about to allocate
     * @param what  what the bytes are for, named in the message
     * @throws IllegalArgumentException when the bytes exceed the direct memory still available
     */
    public static void checkAvailable(final long bytes, final String what)
    {
        final long limit = maxDirectMemory();
        final long used = directMemoryUsed();
        if (limit > 0 && bytes > limit - used)
        {
            throw new IllegalArgumentException(
                what + " needs more off-heap memory than the JVM allows: requested=" + bytes +
                ", available=" + Math.max(0, limit - used) + ", limit=" + limit +
                " (raise it with -XX:MaxDirectMemorySize)");
        }
    }

    /** @return the JVM's direct-memory limit in bytes, or -1 when it cannot be read. */
    static long maxDirectMemory()
    {
        try
        {
            final com.sun.management.HotSpotDiagnosticMXBean bean =
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            final long configured = Long.parseLong(bean.getVMOption("MaxDirectMemorySize").getValue());
            return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return -1;
        }
    }

    /** @return direct memory in use: the JDK's direct-buffer pool plus Larder's arenas. */
    static long directMemoryUsed()
    {
        long used = ARENA_BYTES.get();
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                used += Math.max(0, pool.getMemoryUsed());
            }
        }
        return used;
    }

    /** @return bytes allocated by this allocator and not yet freed. */
    public abstract long allocatedBytes();

    /**
     * @param bytes size of the buffer, at most {@link Integer#MAX_VALUE}
     * @return a zero-filled direct buffer aligned to 8 bytes
     */
    public abstract ByteBuffer allocate(int bytes);

    /** Frees every buffer this allocator returned. Idempotent. */
    public abstract void freeAll();

    private enum Strategy
    {
        ARENA,
        CLEANER;

        static Strategy detect()
        {
            if (Runtime.version().feature() >= 22 && ArenaAllocator.Handles.AVAILABLE)
            {
                return ARENA;
            }
            return CLEANER;
        }
    }

    private static final class ArenaAllocator extends OffHeapAllocator
    {
        private Object arena;
        private long allocated;

        @Override
        public long allocatedBytes()
        {
            return allocated;
        }

        @Override
        public ByteBuffer allocate(final int bytes)
        {
            try
            {
                if (arena == null)
                {
                    arena = Handles.OF_SHARED.invoke();
                }
                final Object segment = Handles.ALLOCATE.invoke(arena, (long)bytes, (long)Long.BYTES);
                final ByteBuffer buffer = (ByteBuffer)Handles.AS_BYTE_BUFFER.invoke(segment);
                allocated += bytes;
                ARENA_BYTES.addAndGet(bytes);
                return buffer;
            }
            catch (final OutOfMemoryError ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("off-heap allocation failed: bytes=" + bytes, ex);
            }
        }

        @Override
        public void freeAll()
        {
            if (arena != null)
            {
                try
                {
                    Handles.CLOSE.invoke(arena);
                }
                catch (final Throwable ex)
                {
                    throw new IllegalStateException("could not free off-heap memory", ex);
                }
                finally
                {
                    arena = null;
                    ARENA_BYTES.addAndGet(-allocated);
                    allocated = 0;
                }
            }
        }

        static final class Handles
        {
            static final MethodHandle OF_SHARED;
            static final MethodHandle ALLOCATE;
            static final MethodHandle AS_BYTE_BUFFER;
            static final MethodHandle CLOSE;
            static final boolean AVAILABLE;

            static
            {
                MethodHandle ofShared = null;
                MethodHandle allocate = null;
                MethodHandle asByteBuffer = null;
                MethodHandle close = null;
                boolean available = false;
                try
                {
                    final MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                    final Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
                    final Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
                    ofShared = lookup.findStatic(arenaClass, "ofShared", MethodType.methodType(arenaClass));
                    allocate = lookup.findVirtual(arenaClass, "allocate",
                        MethodType.methodType(segmentClass, long.class, long.class));
                    asByteBuffer = lookup.findVirtual(segmentClass, "asByteBuffer",
                        MethodType.methodType(ByteBuffer.class));
                    close = lookup.findVirtual(arenaClass, "close", MethodType.methodType(void.class));
                    available = true;
                }
                catch (final ReflectiveOperationException | RuntimeException | LinkageError ignore)
                {
                    // not on this JDK: the cleaner strategy is used
                }
                OF_SHARED = ofShared;
                ALLOCATE = allocate;
                AS_BYTE_BUFFER = asByteBuffer;
                CLOSE = close;
                AVAILABLE = available;
            }

            private Handles()
            {
            }
        }
    }

    private static final class CleanerAllocator extends OffHeapAllocator
    {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static
        {
            Object unsafe = null;
            Method invokeCleaner = null;
            try
            {
                final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                final Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                unsafe = field.get(null);
                invokeCleaner = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
            }
            catch (final ReflectiveOperationException | RuntimeException | LinkageError ignore)
            {
                // no cleaner: buffers are freed when they become unreachable
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = invokeCleaner;
        }

        private final List<ByteBuffer> buffers = new ArrayList<>();
        private long allocated;

        @Override
        public long allocatedBytes()
        {
            return allocated;
        }

        @Override
        public ByteBuffer allocate(final int bytes)
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
            if (buffer.alignmentOffset(0, Long.BYTES) != 0)
            {
                throw new IllegalStateException("direct buffer is not 8-byte aligned");
            }
            buffers.add(buffer);
            allocated += bytes;
            return buffer;
        }

        @Override
        public void freeAll()
        {
            for (final ByteBuffer buffer : buffers)
            {
                if (INVOKE_CLEANER != null)
                {
                    try
                    {
                        INVOKE_CLEANER.invoke(UNSAFE, buffer);
                    }
                    catch (final ReflectiveOperationException ex)
                    {
                        throw new IllegalStateException("could not free off-heap memory", ex);
                    }
                }
            }
            buffers.clear();
            allocated = 0;
        }
    }
}
