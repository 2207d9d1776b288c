package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.HashFunction;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, the record kinds of large values in one segment: a chunk is found only under its id and
 * check, never by a user's key with the same bytes (and a user's entry never by a chunk key); its
 * kind lives in the record word, so a record copied byte for byte into another ring keeps it.
 */
class LargeValueRecordsTest
{
    private static final KeyHasher HASHER = KeyHasher.seeded(HashFunction.SIPHASH_1_3, 11);
    private static final int RING = 8192;

    private final Memory ring = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(RING));
    private final Segment segment = new Segment(ring, Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(512)),
        () -> 0L);

    private static KeyRef chunk(final long id, final int check)
    {
        return new KeyRef().setChunk(id, check, HASHER);
    }

    private static KeyRef user(final long key)
    {
        return new KeyRef().set(key, HASHER);
    }

    @Test
    void aChunkAndAUserEntryWithTheSameKeyBytesAreTwoEntries()
    {
        final byte[] chunkBytes = {1, 2, 3};
        final byte[] userBytes = {4, 5};
        assertTrue(segment.putChunk(chunk(42, 7), chunkBytes, 0, chunkBytes.length));
        assertNull(segment.get(user(42), true), "a user's key never finds a chunk");
        assertFalse(segment.contains(user(42)));
        assertTrue(segment.put(user(42), userBytes, 0, userBytes.length, 0, PutMode.PUT_IF_ABSENT));
        assertArrayEquals(userBytes, segment.get(user(42), true));
        assertArrayEquals(chunkBytes, segment.get(chunk(42, 7), false));
        assertNull(segment.get(chunk(42, 8), false), "a chunk is found only under its check");
        assertFalse(segment.putChunk(chunk(42, 7), chunkBytes, 0, 1), "a chunk id is written once");
        final long[] totals = new long[SegmentStat.values().length];
        segment.addStatsTo(totals);
        assertEquals(1, totals[SegmentStat.ENTRIES.ordinal()], "chunks are not entries");
        assertEquals(1, totals[SegmentStat.PUTS.ordinal()], "chunk writes are not puts");
        assertEquals(1, segment.liveChunks());
        segment.removeChunk(chunk(42, 7));
        assertEquals(0, segment.liveChunks());
        assertArrayEquals(userBytes, segment.get(user(42), true));
        segment.verifyInvariants();
    }

    @Test
    void recordKindsSurviveAVerbatimCopyOfTheRing()
    {
        final byte[] head = new byte[LargeValueDescriptor.LENGTH];
        ByteArrays.LONG_NATIVE.set(head, LargeValueDescriptor.GENERATION_OFFSET, 1000L);
        ByteArrays.INT_NATIVE.set(head, LargeValueDescriptor.VALUE_LENGTH_OFFSET, 3);
        ByteArrays.INT_NATIVE.set(head, LargeValueDescriptor.CHUNK_LENGTH_OFFSET, 3);
        assertTrue(segment.putHead(user(5), head, 0, PutMode.PUT));
        assertTrue(segment.putChunk(chunk(1000, 9), new byte[] {7, 8, 9}, 0, 3));
        assertTrue(segment.put(user(6), new byte[] {1}, 0, 1, 0, PutMode.PUT));

        final Memory copy = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(RING));
        for (int i = 0; i < RING; i += Long.BYTES)
        {
            copy.putLong(i, ring.getLong(i));
        }
        int heads = 0;
        int chunks = 0;
        int ordinary = 0;
        for (int position = 0; position < RING; )
        {
            final int word = Entries.recordWord(copy, position);
            final int length = Entries.recordLength(word);
            if (length == 0)
            {
                break;
            }
            heads += Entries.isHead(word) ? 1 : 0;
            chunks += Entries.isChunk(word) ? 1 : 0;
            ordinary += Entries.isHead(word) || Entries.isChunk(word) ? 0 : 1;
            if (Entries.isChunk(word))
            {
                assertEquals(9, Entries.chunkCheck(copy, position), "the check is in the chunk's header");
                final byte[] id = new byte[Long.BYTES];
                copy.getBytes(Entries.keyOffset(position), id, 0, id.length);
                assertEquals(1000L, ByteBuffer.wrap(id).getLong(), "the chunk id, big-endian, is its key");
            }
            position += length;
        }
        assertEquals(1, heads);
        assertEquals(1, chunks);
        assertEquals(1, ordinary);
    }
}
