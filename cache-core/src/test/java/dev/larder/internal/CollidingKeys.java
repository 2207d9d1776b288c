package dev.larder.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A family of keys that all have the same {@link Hashing} (the {@code FAST_TRUSTED_KEYS} hash)
 * under every seed: the attack of issue 14, built from its description.
 *
 * <p>A round of that hash is {@code h' = rotl(h ^ k(w), 27) * P1 + P4}, where {@code k} is a
 * bijection of the 8-byte word {@code w}. Flipping bit 36 of {@code h ^ k(w)} flips bit 63 after
 * the rotation, and only bit 63 after multiplying by an odd constant and adding; a second word
 * whose {@code k} differs in bit 63 flips it back. So the two-word sequences {@code (a1, a2)} and
 * {@code (b1, b2)}, with {@code k(a1) ^ k(b1) = 1 << 36} and {@code k(a2) ^ k(b2) = 1 << 63}, leave
 * the state unchanged whatever it was, hence whatever the seed. Chaining {@code m} such gadgets
 * gives {@code 2^m} keys of {@code 16m} bytes with one hash.
 */
public final class CollidingKeys
{
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;

    private CollidingKeys()
    {
    }

    /** @return {@code 2^gadgets} distinct keys of {@code 16 * gadgets} bytes that collide under every seed. */
    public static byte[][] family(final int gadgets)
    {
        final long[][] choices = {
            {word(0x1234_5678_9ABC_DEF0L), word(0x0FED_CBA9_8765_4321L)},
            {word(0x1234_5678_9ABC_DEF0L ^ 1L << 36), word(0x0FED_CBA9_8765_4321L ^ 1L << 63)},
        };
        final byte[][] keys = new byte[1 << gadgets][];
        for (int n = 0; n < keys.length; n++)
        {
            final ByteBuffer key = ByteBuffer.allocate(16 * gadgets).order(ByteOrder.BIG_ENDIAN);
            for (int g = 0; g < gadgets; g++)
            {
                final long[] pair = choices[(n >>> g) & 1];
                key.putLong(pair[0]).putLong(pair[1]);
            }
            keys[n] = key.array();
        }
        return keys;
    }

    /** @return the word {@code w} with {@code k(w) == mixed}, where {@code k(w) = rotl(w * P2, 31) * P1}. */
    private static long word(final long mixed)
    {
        return Long.rotateRight(mixed * inverse(P1), 31) * inverse(P2);
    }

    /** @return the multiplicative inverse of an odd number modulo 2^64 (Newton's iteration). */
    private static long inverse(final long odd)
    {
        long inverse = odd;
        for (int i = 0; i < 5; i++)
        {
            inverse *= 2 - odd * inverse;
        }
        return inverse;
    }
}
