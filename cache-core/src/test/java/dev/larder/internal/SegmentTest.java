package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.HashFunction;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Segment internals that the public API cannot reach: epochs, off-heap writes of a read, the seqlock, corrupted memory.
 */
class SegmentTest
{
    private static final long SEED = 9;
    /** Hashes as {@code Hashing.hash(key, SEED)}. */
    private static final KeyHasher HASHER = KeyHasher.seeded(HashFunction.FAST_TRUSTED_KEYS, SEED);

    private final Memory ring = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(8192));
    private final Memory index = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(64 * 8));
    private final Segment segment = new Segment(ring, index, () -> 0L);

    private boolean put(final long key, final int valueLength)
    {
        return segment.put(key(key), new byte[valueLength], 0, valueLength, 0,
            PutMode.PUT);
    }

    private static KeyRef key(final long key)
    {
        return new KeyRef().set(key, HASHER);
    }

    private byte[] get(final long key)
    {
        return segment.get(key(key), true);
    }

    @Test
    void epochsWrapManyTimesWithoutLosingTheHotSet()
    {
        // about 60 records fit the ring; 3000 insertions wrap the 16 epochs dozens of times
        for (long key = 1000; key < 4000; key++)
        {
            assertTrue(put(key, 100));
            for (long hot = 0; hot < 10; hot++)
            {
                if (get(hot) == null)
                {
                    assertTrue(put(hot, 100));
                }
            }
        }
        segment.verifyInvariants();
        for (long hot = 0; hot < 10; hot++)
        {
            assertNotNull(segment.get(key(hot), false), "hot key " + hot);
        }
    }

    @Test
    void aHitOnAMarkedEntryWritesNothing()
    {
        final CountingMemory countingIndex = new CountingMemory(index);
        final CountingMemory countingRing = new CountingMemory(ring);
        final Segment counted = new Segment(countingRing, countingIndex, () -> 0L);
        assertTrue(counted.put(key(7L), new byte[100], 0, 100, 0, PutMode.PUT));
        countingIndex.writes = 0;
        countingRing.writes = 0;
        assertNotNull(counted.get(key(7L), true));
        assertEquals(1, countingIndex.writes, "the first hit marks the slot with one compare-and-set");
        for (int i = 0; i < 100; i++)
        {
            assertNotNull(counted.get(key(7L), true));
            assertEquals(100, counted.get(key(7L), new byte[100], 0, 100, true));
        }
        assertEquals(1, countingIndex.writes, "later hits write nothing off-heap");
        assertEquals(0, countingRing.writes, "hits never write the ring");
        counted.verifyInvariants();
    }

    @Test
    void writersLeaveTheVersionEvenEvenWhenACodecFails()
    {
        final ValueEncoder failing = new ValueEncoder()
        {
            @Override
            public int encodedLength()
            {
                return 10;
            }

            @Override
            public void encode(final org.agrona.MutableDirectBuffer buffer, final int offset)
            {
                throw new IllegalArgumentException("codec failure");
            }
        };
        assertThrows(IllegalArgumentException.class,
            () -> segment.put(key(3L), failing, 0, 10, 0, PutMode.PUT));
        segment.verifyInvariants(); // includes: the version is even
        assertTrue(put(3, 10));
        assertNotNull(get(3), "reads work lock-free again after a failed write");
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
        assertTrue(ex.getMessage().startsWith("corrupted segment: index slot points outside the ring"),
            ex.getMessage());
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
        assertEquals(segment.maxKeyPlusValue(), Ring.maxRecordLength(8192) - EntryDescriptor.HEADER_LENGTH);
    }

    /**
     * Issue 8: a length that fits the ring but exceeds the largest record a segment accepts (as a
     * torn read or corrupted memory can show) is refused before anything is allocated or copied.
     */
    @Test
    void aRecordLongerThanTheLargestRecordIsRefusedBeforeAnythingIsAllocated()
    {
        final int ringSize = 1 << 20;
        final Memory bigRing = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(ringSize));
        final Segment big = new Segment(bigRing, Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(64 * 8)),
            () -> 0L);
        assertTrue(big.put(key(1L), new byte[10], 0, 10, 0, PutMode.PUT));
        final int tornRecordLength = 900 << 10;
        final int tornValueLength = 800 << 10;
        bigRing.putInt(EntryDescriptor.RECORD_WORD_OFFSET, tornRecordLength);
        bigRing.putInt(EntryDescriptor.VALUE_LENGTH_OFFSET, tornValueLength);

        final Runnable read = () -> big.get(key(1L), true);
        assertThrows(IllegalStateException.class, read::run); // warm-up: class loading allocates too
        final long before = allocatedBytes();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, read::run);
        final long allocated = allocatedBytes() - before;
        assertEquals("corrupted segment: record length " + tornRecordLength + " exceeds the largest record, " +
            Ring.maxRecordLength(ringSize) + ": position=0, ringSize=" + ringSize, ex.getMessage());
        assertTrue(allocated < Ring.maxRecordLength(ringSize),
            "a read of a torn record allocated " + allocated + " bytes");
        assertThrows(IllegalStateException.class, () -> big.get(key(1L), new byte[16], 0, 16, true));
    }

    private static long allocatedBytes()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        @SuppressWarnings("deprecation") // getId: the JDK 17 API; threadId() arrived in 19
        final long id = Thread.currentThread().getId();
        return bean.getThreadAllocatedBytes(id);
    }
}
