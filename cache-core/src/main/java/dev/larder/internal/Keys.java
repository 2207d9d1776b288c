package dev.larder.internal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Copies value bytes between the ring and the engine's value sources and destinations, without
 * allocating a wrapper per call: a source is a {@code byte[]} or an Agrona {@link DirectBuffer}, a
 * destination a {@code byte[]} or a {@link MutableDirectBuffer}. (Keys are a {@link KeyRef}.)
 */
final class Keys
{
    private Keys()
    {
    }

    /** Writes {@code length} bytes of a {@code byte[]} or {@link DirectBuffer} at {@code index}. */
    static void write(final Memory ring, final int index, final Object source, final int offset, final int length)
    {
        if (source instanceof byte[])
        {
            ring.putBytes(index, (byte[])source, offset, length);
        }
        else
        {
            ring.putBytes(index, (DirectBuffer)source, offset, length);
        }
    }

    /** Copies {@code length} bytes at {@code index} to a {@code byte[]} or {@link MutableDirectBuffer}. */
    static void copyOut(final Memory ring, final int index, final Object dst, final int dstOffset, final int length)
    {
        if (dst instanceof byte[])
        {
            ring.getBytes(index, (byte[])dst, dstOffset, length);
        }
        else
        {
            ring.getBytes(index, (MutableDirectBuffer)dst, dstOffset, length);
        }
    }
}
