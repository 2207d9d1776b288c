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
 * <p>SipHash-1-3: one compression round per 8-byte word and three finalization rounds, the
 * variant Rust's standard hash map uses against hash flooding.
 */
final class SipHash
{
    private static final VarHandle LONG_LITTLE_ENDIAN =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SipHash()
    {
    }

    /** Compression rounds per word and finalization rounds: SipHash-1-3. */
    static final int COMPRESSION_ROUNDS = 1;
    static final int FINALIZATION_ROUNDS = 3;

    /**
     * The round counts are constants on purpose: with counts passed in as arguments, the JIT keeps
     * the round loops, and a 64-byte key took about 1.6 times as long in a side-by-side loop.
     *
     * @param key     a {@code byte[]}, a {@link DirectBuffer}, or null for the long key {@code keyBits}
     * @param keyBits the long key when {@code key} is null
     * @return the 64-bit SipHash-1-3 of the key's bytes under the key {@code (k0, k1)}
     */
    static long hash(
        final long k0, final long k1, final Object key, final long keyBits, final int offset, final int length)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        final int end = length & -Long.BYTES;
        // whole words, then a last block with the length in its top byte and the remaining bytes
        // below; i == end is that last block (one loop, so the round is written once)
        for (int i = 0; i <= end; i += Long.BYTES)
        {
            final long m = i < end ? word(key, keyBits, offset + i) : lastBlock(key, offset + end, length);
            v3 ^= m;
            for (int r = 0; r < COMPRESSION_ROUNDS; r++)
            {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xFF;
        for (int r = 0; r < FINALIZATION_ROUNDS; r++)
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

    /** @return the final block: {@code length} in the top byte, the bytes from {@code from} to the end below. */
    private static long lastBlock(final Object key, final int from, final int length)
    {
        long block = (long)length << 56;
        for (int j = 0; j < (length & (Long.BYTES - 1)); j++)
        {
            block |= (long)(byteAt(key, from + j) & 0xFF) << (j << 3);
        }
        return block;
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
