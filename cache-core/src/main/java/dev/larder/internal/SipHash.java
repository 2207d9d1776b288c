package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * SipHash (Aumasson and Bernstein, 2012), a pseudorandom function keyed with 128 bits, over the
 * bytes of a key source in the engine's three forms (see {@link Keys}): a {@code byte[]}, an Agrona
 * {@link DirectBuffer} range, or {@code null} for a {@code long} key, which is the 8 bytes of its
 * big-endian encoding. The three forms agree for equal bytes, and the results are the published
 * test vectors' (SipHashTest). Words are read little-endian as the specification says; nothing is
 * allocated.
 *
 * <p>The compression and finalization round counts are parameters: (1, 3) is SipHash-1-3, which
 * Rust's standard hash map uses; (2, 4) is the paper's conservative SipHash-2-4.
 */
final class SipHash
{
    private static final VarHandle LONG_LITTLE_ENDIAN =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SipHash()
    {
    }

    /**
     * @param key      a {@code byte[]}, a {@link DirectBuffer}, or null for the long key {@code keyBits}
     * @param keyBits  the long key when {@code key} is null
     * @return the 64-bit SipHash-c-d of the key's bytes under the key {@code (k0, k1)}
     */
    static long hash(
        final int compressionRounds, final int finalizationRounds, final long k0, final long k1,
        final Object key, final long keyBits, final int offset, final int length)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        final int end = length & -Long.BYTES;
        // the last block: the message length in its top byte, the remaining bytes below
        long last = (long)length << 56;
        for (int i = 0; i <= end; i += Long.BYTES)
        {
            final long m;
            if (i < end)
            {
                m = word(key, keyBits, offset + i);
            }
            else
            {
                for (int j = end; j < length; j++)
                {
                    last |= (long)(byteAt(key, offset + j) & 0xFF) << ((j - end) << 3);
                }
                m = last;
            }
            v3 ^= m;
            for (int r = 0; r < compressionRounds; r++)
            {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xFF;
        for (int r = 0; r < finalizationRounds; r++)
        {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** @return the little-endian word at {@code index} of the key's bytes. */
    private static long word(final Object key, final long keyBits, final int index)
    {
        if (key instanceof byte[])
        {
            return (long)LONG_LITTLE_ENDIAN.get((byte[])key, index);
        }
        if (key == null)
        {
            return Long.reverseBytes(keyBits); // the big-endian bytes of the key, read little-endian
        }
        return ((DirectBuffer)key).getLong(index, ByteOrder.LITTLE_ENDIAN);
    }

    private static byte byteAt(final Object key, final int index)
    {
        if (key instanceof byte[])
        {
            return ((byte[])key)[index];
        }
        // a long key has no tail: its 8 bytes are one whole word
        return ((DirectBuffer)key).getByte(index);
    }
}
