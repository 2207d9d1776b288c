package dev.larder.internal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The engine handles three kinds of key and value sources without allocating a wrapper per call:
 * a source is an {@code Object} that is a {@code byte[]}, an Agrona {@link DirectBuffer}, or
 * {@code null} for a {@code long} key carried in {@code bits}. A {@code long} key is the 8 bytes of
 * its big-endian encoding, so {@code get(long)} and {@code get(byte[])} of those bytes find the
 * same entry. These helpers dispatch on the source's type.
 */
final class Keys
{
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private Keys()
    {
    }

    /** @return the native-order word whose bytes are the big-endian encoding of {@code key}. */
    static long storedLong(final long key)
    {
        return NATIVE_BIG_ENDIAN ? key : Long.reverseBytes(key);
    }

    static boolean equal(
        final Memory ring, final int index, final Object source, final long bits, final int offset, final int length)
    {
        if (source instanceof byte[])
        {
            return ring.contentEquals(index, (byte[])source, offset, length);
        }
        if (source == null)
        {
            return ring.getLong(index) == storedLong(bits);
        }
        return ring.contentEquals(index, (DirectBuffer)source, offset, length);
    }

    static void write(
        final Memory ring, final int index, final Object source, final long bits, final int offset, final int length)
    {
        if (source instanceof byte[])
        {
            ring.putBytes(index, (byte[])source, offset, length);
        }
        else if (source == null)
        {
            ring.putLong(index, storedLong(bits));
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
