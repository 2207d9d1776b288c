package dev.larder.internal;

import java.nio.ByteBuffer;

/**
 * Chooses the memory-access backend. Agrona is probed once per JVM: it is usable when its
 * {@code UnsafeBuffer} can be initialised, which for Agrona 2.x means the JVM exports
 * {@code jdk.internal.misc} to it. Otherwise the pure-JDK backend is used; no warning is printed.
 */
public final class Memories
{
    private static final String AGRONA_FAILURE = AgronaProbe.failure();

    private Memories()
    {
    }

    /** @return true when the Agrona fast path works in this JVM. */
    public static boolean agronaAvailable()
    {
        return AGRONA_FAILURE == null;
    }

    /** @return why Agrona is unavailable, or null when it is available. */
    public static String agronaFailure()
    {
        return AGRONA_FAILURE;
    }

    /**
     * @param kind   backend to use
     * @param buffer direct buffer to access
     * @return memory over the whole buffer
     */
    public static Memory wrap(final MemoryKind kind, final ByteBuffer buffer)
    {
        return kind == MemoryKind.AGRONA ? new AgronaMemory(buffer) : new JdkMemory(buffer);
    }

    /** Isolated so that a failing Agrona class initialisation cannot leak into other classes. */
    private static final class AgronaProbe
    {
        private AgronaProbe()
        {
        }

        static String failure()
        {
            try
            {
                final Memory memory = new AgronaMemory(ByteBuffer.allocateDirect(Long.BYTES));
                memory.putLong(0, 0x0102030405060708L);
                return memory.getLong(0) == 0x0102030405060708L ? null : "Agrona read back a wrong value";
            }
            catch (final LinkageError | RuntimeException ex)
            {
                return ex.toString();
            }
        }
    }
}
