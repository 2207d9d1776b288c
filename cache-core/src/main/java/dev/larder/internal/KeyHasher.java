package dev.larder.internal;

import dev.larder.HashFunction;
import java.security.SecureRandom;
import org.agrona.DirectBuffer;

/**
 * A cache's key hash: the function and its key, fixed when the cache is built. The three key forms
 * agree: a {@code long} key hashes like the 8 bytes of its big-endian encoding, and a buffer range
 * like the same bytes in an array.
 *
 * <p>Bits are spent as follows: the low bits pick the segment; the high 32 bits are the index tag,
 * which also picks the home slot ({@link IndexDescriptor}).
 *
 * <h2>Keys</h2>
 * {@link HashFunction#SIPHASH_1_3} takes a 128-bit key. It is
 * drawn from a {@link SecureRandom} per cache, unless a seed is given for reproducible runs: then
 * both halves derive from it (SplitMix64), and anyone who knows the seed can compute collisions.
 * {@link HashFunction#FAST_TRUSTED_KEYS} takes a 64-bit seed ({@link Hashing}).
 */
public final class KeyHasher
{
    private final HashFunction function;
    private final long k0;
    private final long k1;

    private KeyHasher(final HashFunction function, final long k0, final long k1)
    {
        this.function = function;
        this.k0 = k0;
        this.k1 = k1;
    }

    /** @return a hasher keyed from a {@link SecureRandom}. */
    public static KeyHasher random(final HashFunction function)
    {
        final SecureRandom random = new SecureRandom();
        return new KeyHasher(function, random.nextLong(), random.nextLong());
    }

    /**
     * @return a hasher whose key derives from {@code seed}: reproducible, and predictable to whoever knows the seed.
     */
    public static KeyHasher seeded(final HashFunction function, final long seed)
    {
        final long k0 = splitMix64(seed);
        return new KeyHasher(function, function == HashFunction.FAST_TRUSTED_KEYS ? seed : k0, splitMix64(k0));
    }

    /** @return a SipHash hasher with an explicit 128-bit key (test vectors). */
    static KeyHasher withKey(final HashFunction function, final long k0, final long k1)
    {
        return new KeyHasher(function, k0, k1);
    }

    /** @return the function this hasher computes. */
    public HashFunction function()
    {
        return function;
    }

    /**
     * @param key a {@code byte[]}, a {@link DirectBuffer}, or null for the long key {@code keyBits}
     * @return the hash of the key's bytes
     */
    long hash(final Object key, final long keyBits, final int offset, final int length)
    {
        if (function == HashFunction.FAST_TRUSTED_KEYS)
        {
            if (key instanceof byte[])
            {
                return Hashing.hash((byte[])key, offset, length, k0);
            }
            return key == null ? Hashing.hash(keyBits, k0) : Hashing.hash((DirectBuffer)key, offset, length, k0);
        }
        return SipHash.hash(k0, k1, key, keyBits, offset, length);
    }

    /** @return the hash of {@code length} bytes of {@code key} from {@code offset}. */
    public long hash(final byte[] key, final int offset, final int length)
    {
        return hash(key, 0, offset, length);
    }

    /** @return the hash of {@code length} bytes of {@code key} from {@code offset}. */
    public long hash(final DirectBuffer key, final int offset, final int length)
    {
        return hash(key, 0, offset, length);
    }

    /** @return the hash of the 8-byte big-endian encoding of {@code key}. */
    public long hash(final long key)
    {
        return hash(null, key, 0, Long.BYTES);
    }

    private static long splitMix64(final long seed)
    {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString()
    {
        return function.name();
    }
}
