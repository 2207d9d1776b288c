package dev.larder.internal;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Buffer classes known not to keep a {@code ByteBuffer} passed to their bulk copies. A bulk copy
 * between cache memory and a caller's buffer hands one side's {@code ByteBuffer} to the other
 * (Agrona's {@code putBytes(int, ByteBuffer, int, int)} and {@code getBytes(int, ByteBuffer, int,
 * int)}); for the cache's own memory that {@code ByteBuffer} spans a whole segment ring, writable.
 * Agrona's buffers and Larder's only copy through it, so they get it; any other implementation
 * gets the bytes one at a time, and never a handle on the ring. Exact classes: a subclass could
 * keep what it is given. Only the classes are named here; nothing is initialised, so this works
 * whether or not Agrona's {@code Unsafe} access is allowed.
 */
final class KnownBuffers
{
    private KnownBuffers()
    {
    }

    /** @return true when {@code buffer} is of a class that never keeps a buffer passed to it */
    static boolean keepNothing(final DirectBuffer buffer)
    {
        final Class<?> type = buffer.getClass();
        return type == UnsafeBuffer.class || type == ByteBufferDirectBuffer.class ||
            type == ExpandableArrayBuffer.class || type == ExpandableDirectByteBuffer.class;
    }
}
