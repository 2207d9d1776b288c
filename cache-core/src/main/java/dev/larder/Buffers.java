package dev.larder;

import dev.larder.internal.ByteBufferDirectBuffer;
import dev.larder.internal.Memories;
import java.nio.ByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Agrona buffers that work in any JVM: Agrona's {@link UnsafeBuffer} when the JVM allows it
 * ({@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, or {@code =org.agrona} on the
 * module path), otherwise Larder's bounds-checked {@code ByteBuffer}-backed implementation. Use them
 * for the cache's {@code DirectBuffer} methods and in codec tests without caring which JVM flags
 * are set. (In {@code dev.larder} rather than {@code dev.larder.codec} since issue 8: it needs the
 * engine's memory backends, and the codec package depends on nothing of Larder's.)
 */
public final class Buffers
{
    private Buffers()
    {
    }

    /** @return a buffer over the whole array. */
    public static MutableDirectBuffer wrap(final byte[] array)
    {
        return Memories.agronaAvailable() ? new UnsafeBuffer(array) : new ByteBufferDirectBuffer(array);
    }

    /** @return a buffer over the whole of {@code buffer}, from index 0 to its capacity. */
    public static MutableDirectBuffer wrap(final ByteBuffer buffer)
    {
        return Memories.agronaAvailable() ? new UnsafeBuffer(buffer) : new ByteBufferDirectBuffer(buffer);
    }

    /** @return a new zero-filled heap buffer of {@code capacity} bytes. */
    public static MutableDirectBuffer allocate(final int capacity)
    {
        return wrap(new byte[capacity]);
    }
}
