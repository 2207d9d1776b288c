package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Segment internals that the public API cannot reach: tick rebasing and corrupted memory. */
class SegmentTest
{
    private static final long SEED = 9;

    private final Memory ring = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(8192));
    private final Memory index = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(64 * 8));
    private final Segment segment = new Segment(ring, index, () -> 0L);

    private boolean put(final long key, final int valueLength)
    {
        return segment.put(Hashing.hash(key, SEED), null, key, 0, 8, new byte[valueLength], 0, valueLength, 0,
            Segment.PUT);
    }

    private byte[] get(final long key)
    {
        return segment.get(Hashing.hash(key, SEED), null, key, 0, 8, true);
    }

    @Test
    void tickRebaseKeepsRecencyOrder()
    {
        segment.setTickForTest(Segment.TICK_LIMIT - 3);
        for (long key = 0; key < 40; key++)
        {
            assertTrue(put(key, 100));
        }
        segment.verifyInvariants();
        for (long key = 0; key < 40; key += 2)
        {
            assertNotNull(get(key));
        }
        for (long key = 40; key < 50; key++)
        {
            assertTrue(put(key, 100));
        }
        segment.verifyInvariants();
        for (long key = 0; key < 20; key += 2)
        {
            assertNotNull(segment.get(Hashing.hash(key, SEED), null, key, 0, 8, false), "read key " + key);
        }
    }

    @Test
    void anIndexSlotPointingOutsideTheRingFailsCleanly()
    {
        assertTrue(put(1, 10));
        final int tag = (int)(Hashing.hash(1L, SEED) >>> 32);
        for (int slot = 0; slot < 64; slot++)
        {
            if (index.getLong(slot * 8) != 0)
            {
                index.putLong(slot * 8, IndexDescriptor.slot(tag, 1 << 30));
            }
        }
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> get(1));
        assertTrue(ex.getMessage().startsWith("corrupted segment: index slot points outside the ring"), ex.getMessage());
    }

    @Test
    void aCorruptedRecordLengthFailsCleanly()
    {
        assertTrue(put(1, 10));
        ring.putInt(EntryDescriptor.RECORD_WORD_OFFSET, 1 << 20);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> get(1));
        assertTrue(ex.getMessage().startsWith("corrupted segment: record length"), ex.getMessage());
    }

    @Test
    void aCorruptedValueLengthFailsCleanly()
    {
        assertTrue(put(1, 10));
        ring.putInt(EntryDescriptor.VALUE_LENGTH_OFFSET, 5000);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> get(1));
        assertTrue(ex.getMessage().startsWith("corrupted segment: value length"), ex.getMessage());
        ring.putInt(EntryDescriptor.VALUE_LENGTH_OFFSET, -1);
        assertThrows(IllegalStateException.class, () -> get(1));
    }

    @Test
    void aCorruptedHeadRecordStopsEvictionCleanly()
    {
        for (long key = 0; key < 40; key++)
        {
            put(key, 150);
        }
        ring.putInt(0, 0);
        assertThrows(IllegalStateException.class, () -> {
            for (long key = 100; key < 200; key++)
            {
                put(key, 150);
            }
        });
    }

    @Test
    void recordsNeverWrapAroundTheRingEnd()
    {
        // values of odd sizes force padding records at the end of the ring
        for (long key = 0; key < 2000; key++)
        {
            final int length = (int)(key * 37 % 700);
            assertTrue(put(key, length));
            final byte[] value = get(key);
            assertNotNull(value);
            assertArrayEquals(new byte[length], value);
            segment.verifyInvariants();
        }
        assertNull(get(-1));
        assertEquals(segment.maxKeyPlusValue(), Segment.maxRecordLength(8192) - EntryDescriptor.HEADER_LENGTH);
    }
}
