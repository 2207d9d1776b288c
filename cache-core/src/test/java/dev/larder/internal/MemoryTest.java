package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both backends behave the same; each runs when this JVM allows it. */
class MemoryTest
{
    private static Memory memory(final MemoryKind kind, final int capacity)
    {
        assumeTrue(kind == MemoryKind.JDK || Memories.agronaAvailable(), "Agrona needs --add-exports");
        return Memories.wrap(kind, ByteBuffer.allocateDirect(capacity));
    }

    @ParameterizedTest
    @EnumSource(MemoryKind.class)
    void scalarsRoundTrip(final MemoryKind kind)
    {
        final Memory memory = memory(kind, 64);
        assertEquals(kind, memory.kind());
        assertEquals(64, memory.capacity());
        memory.putInt(4, 0xCAFEBABE);
        memory.putLong(8, 0x0102030405060708L);
        assertEquals(0xCAFEBABE, memory.getInt(4));
        assertEquals(0x0102030405060708L, memory.getLong(8));
        assertEquals(ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putLong(0x0102030405060708L)
            .get(0), memory.getByte(8), "native byte order");
    }

    @ParameterizedTest
    @EnumSource(MemoryKind.class)
    void overlappingMoveDownwardIsAMemmove(final MemoryKind kind)
    {
        final Memory memory = memory(kind, 256);
        final byte[] pattern = new byte[200];
        new Random(1).nextBytes(pattern);
        memory.putBytes(40, pattern, 0, 200);
        memory.move(40, 8, 200);
        final byte[] moved = new byte[200];
        memory.getBytes(8, moved, 0, 200);
        assertEquals(java.util.Arrays.toString(pattern), java.util.Arrays.toString(moved));
    }

    @ParameterizedTest
    @EnumSource(MemoryKind.class)
    void contentEqualsComparesEveryByte(final MemoryKind kind)
    {
        final Memory memory = memory(kind, 64);
        final byte[] key = new byte[19];
        new Random(2).nextBytes(key);
        memory.putBytes(16, key, 0, key.length);
        assertTrue(memory.contentEquals(16, key, 0, key.length));
        for (int i = 0; i < key.length; i++)
        {
            final byte[] other = key.clone();
            other[i] ^= 1;
            assertFalse(memory.contentEquals(16, other, 0, other.length), "difference at " + i);
        }
        assertTrue(memory.contentEquals(16, key, 0, 0));
    }

    @ParameterizedTest
    @EnumSource(MemoryKind.class)
    void directBufferCopiesAndComparisons(final MemoryKind kind)
    {
        assumeTrue(Memories.agronaAvailable(), "Agrona buffers need --add-exports");
        final Memory memory = memory(kind, 64);
        final byte[] bytes = new byte[21];
        new Random(3).nextBytes(bytes);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[40]);
        source.putBytes(5, bytes);
        memory.putBytes(8, source, 5, 21);
        assertTrue(memory.contentEquals(8, bytes, 0, 21));
        assertTrue(memory.contentEquals(8, source, 5, 21));
        source.putByte(25, (byte)(bytes[20] ^ 1));
        assertFalse(memory.contentEquals(8, source, 5, 21));
        final UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
        memory.getBytes(8, target, 3, 21);
        final byte[] copied = new byte[21];
        target.getBytes(3, copied);
        assertEquals(java.util.Arrays.toString(bytes), java.util.Arrays.toString(copied));
    }

    @ParameterizedTest
    @EnumSource(MemoryKind.class)
    void zeroClearsARange(final MemoryKind kind)
    {
        final Memory memory = memory(kind, 64);
        for (int i = 0; i < 64; i += 8)
        {
            memory.putLong(i, -1L);
        }
        memory.zero(3, 50);
        assertEquals(-1, memory.getByte(2));
        for (int i = 3; i < 53; i++)
        {
            assertEquals(0, memory.getByte(i));
        }
        assertEquals(-1, memory.getByte(53));
    }
}
