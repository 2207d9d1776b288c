package dev.larder.bench.peers;

import java.util.Arrays;

/** The benchmark's keys: 16 bytes, the key number big-endian then its complement. */
public final class Keys
{
    /** Key length in bytes. */
    public static final int LENGTH = 16;

    private Keys()
    {
    }

    /** @return key number {@code i}. */
    public static byte[] key(final long i)
    {
        final byte[] key = new byte[LENGTH];
        fill(i, key);
        return key;
    }

    /** Writes key number {@code i} into {@code key}. */
    public static void fill(final long i, final byte[] key)
    {
        for (int b = 0; b < 8; b++)
        {
            key[b] = (byte)(i >>> (56 - 8 * b));
            key[8 + b] = (byte)~key[b];
        }
    }

    /** @return keys 0 .. count - 1. */
    public static byte[][] keys(final int count)
    {
        final byte[][] keys = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            keys[i] = key(i);
        }
        return keys;
    }

    /** A byte-array key with content equality, for on-heap maps. */
    public static final class Wrapped
    {
        private final byte[] bytes;
        private final int hash;

        public Wrapped(final byte[] bytes)
        {
            this.bytes = bytes;
            // Arrays.hashCode is poor for these keys (the complement half cancels the low bits, so
            // hash tables collide); a 64-bit mix of the bytes, as a well-behaved key class would have
            long h = 0x9E3779B97F4A7C15L;
            for (final byte b : bytes)
            {
                h = (h ^ b) * 0xBF58476D1CE4E5B9L;
                h ^= h >>> 31;
            }
            this.hash = (int)(h ^ (h >>> 32));
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Wrapped && Arrays.equals(bytes, ((Wrapped)other).bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }
}
