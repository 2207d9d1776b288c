package dev.larder.internal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * {@link dev.larder.HashFunction#FAST_TRUSTED_KEYS}: a seeded 64-bit hash of key bytes, in the style
 * of xxHash64 (rounds over 8-byte words, then an avalanche). Not a keyed pseudorandom function:
 * key families that collide under every seed exist (docs/design.md, "Hashing and flooding"), so
 * it is only for keys no attacker chooses; the default is {@link SipHash}. Words are read big-endian, so a {@code long} key hashes exactly like its 8-byte
 * big-endian encoding and {@link #hash(long, long)} needs no memory access at all. The three entry
 * points agree for equal bytes; a test checks it.
 */
final class Hashing
{
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private Hashing()
    {
    }

    /** @return the hash of {@code length} bytes of {@code key} from {@code offset}. */
    static long hash(final byte[] key, final int offset, final int length, final long seed)
    {
        long h = seed + P5 + length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            h = round(h, ByteArrays.getLongBigEndian(key, offset + i));
        }
        if (i < length)
        {
            long tail = 0;
            for (; i < length; i++)
            {
                tail = (tail << 8) | (key[offset + i] & 0xFF);
            }
            h = tailRound(h, tail);
        }
        return avalanche(h);
    }

    /** @return the hash of {@code length} bytes of {@code key} from {@code offset}. */
    static long hash(final DirectBuffer key, final int offset, final int length, final long seed)
    {
        long h = seed + P5 + length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            h = round(h, key.getLong(offset + i, ByteOrder.BIG_ENDIAN));
        }
        if (i < length)
        {
            long tail = 0;
            for (; i < length; i++)
            {
                tail = (tail << 8) | (key.getByte(offset + i) & 0xFF);
            }
            h = tailRound(h, tail);
        }
        return avalanche(h);
    }

    /** @return the hash of the 8-byte big-endian encoding of {@code key}. */
    static long hash(final long key, final long seed)
    {
        return avalanche(round(seed + P5 + Long.BYTES, key));
    }

    private static long round(final long h, final long word)
    {
        final long k = Long.rotateLeft(word * P2, 31) * P1;
        return Long.rotateLeft(h ^ k, 27) * P1 + P4;
    }

    private static long tailRound(final long h, final long tail)
    {
        return Long.rotateLeft(h ^ (tail * P1), 23) * P2 + P3;
    }

    private static long avalanche(final long hash)
    {
        long h = hash;
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }
}
