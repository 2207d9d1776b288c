package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class HashingTest
{
    @Property(tries = 300)
    void longKeysHashLikeTheirBigEndianBytes(@ForAll final long key, @ForAll final long seed)
    {
        final byte[] bytes = ByteBuffer.allocate(8).putLong(key).array();
        assertEquals(Hashing.hash(bytes, 0, 8, seed), Hashing.hash(key, seed));
    }

    @Test
    void bufferAndArrayHashesAgree()
    {
        assumeTrue(Memories.agronaAvailable(), "Agrona buffers need --add-exports");
        final java.util.Random random = new java.util.Random(11);
        for (int length = 0; length < 100; length++)
        {
            final byte[] key = new byte[length];
            random.nextBytes(key);
            final long seed = random.nextLong();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[key.length + 3]);
            buffer.putBytes(3, key);
            assertEquals(Hashing.hash(key, 0, key.length, seed), Hashing.hash(buffer, 3, key.length, seed));
        }
    }

    @Test
    void offsetsAreHonoured()
    {
        final byte[] padded = {9, 9, 1, 2, 3};
        assertEquals(Hashing.hash(new byte[] {1, 2, 3}, 0, 3, 5), Hashing.hash(padded, 2, 3, 5));
    }

    @Test
    void seedChangesTheHash()
    {
        final byte[] key = "key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertNotEquals(Hashing.hash(key, 0, key.length, 1), Hashing.hash(key, 0, key.length, 2));
    }

    @Test
    void prefixesAndZeroPaddingDoNotCollide()
    {
        final Set<Long> hashes = new HashSet<>();
        for (int length = 0; length <= 24; length++)
        {
            hashes.add(Hashing.hash(new byte[length], 0, length, 0));
        }
        assertEquals(25, hashes.size());
    }

    @Test
    void sequentialKeysSpreadOverTagsAndSegments()
    {
        final int[] segments = new int[256];
        final Set<Integer> tags = new HashSet<>();
        for (long key = 0; key < 100_000; key++)
        {
            final long hash = Hashing.hash(key, 0);
            segments[(int)hash & 255]++;
            tags.add((int)(hash >>> 32));
        }
        for (final int count : segments)
        {
            assertEquals(390, count, 80, "segment balance");
        }
        assertEquals(100_000, tags.size(), 10, "few 32-bit tag collisions among 100k keys");
    }
}
