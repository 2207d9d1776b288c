package dev.larder.hazelcast.internal;

import dev.larder.Buffers;
import dev.larder.codec.Codec;
import java.util.Arrays;

/**
 * A key by its encoded bytes: the identity of a key in the near cache's reservations, the same one
 * Larder compares by (equal keys must encode to equal bytes), so that keys whose {@code equals} is
 * identity ({@code byte[]}) or differs from their encoding still meet their invalidations.
 */
public final class KeyBytes
{
    private final byte[] bytes;
    private final int hash;

    private KeyBytes(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** @return the encoded form of {@code key}. */
    public static <K> KeyBytes of(final K key, final Codec<K> codec)
    {
        final int length = codec.encodedLength(key);
        if (length < 0)
        {
            throw new IllegalStateException("codec returned a negative length: " + length);
        }
        final byte[] bytes = new byte[length];
        codec.encode(key, Buffers.wrap(bytes), 0);
        return new KeyBytes(bytes);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof KeyBytes && Arrays.equals(bytes, ((KeyBytes)other).bytes);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }
}
