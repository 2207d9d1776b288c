package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The descriptors' fields do not overlap, are aligned, and sum to the header length. */
class DescriptorLayoutTest
{
    @Test
    void entryHeaderFieldsAreContiguousAlignedAndSumToTheHeader()
    {
        final int[][] fields = {
            {EntryDescriptor.RECORD_WORD_OFFSET, Integer.BYTES},
            {EntryDescriptor.HASH_TAG_OFFSET, Integer.BYTES},
            {EntryDescriptor.EXPIRY_KEY_LENGTH_OFFSET, Long.BYTES},
            {EntryDescriptor.CHUNK_CHECK_OFFSET, Integer.BYTES},
            {EntryDescriptor.VALUE_LENGTH_OFFSET, Integer.BYTES},
        };
        assertEquals(contiguousAndAligned(fields), EntryDescriptor.HEADER_LENGTH);
        assertEquals(24, EntryDescriptor.HEADER_LENGTH);
        assertEquals(0, EntryDescriptor.HEADER_LENGTH % EntryDescriptor.ALIGNMENT);
        assertEquals(0, EntryDescriptor.RECORD_WORD_OFFSET, "padding records need the record word first");
    }

    @Test
    void overheadPerEntryIsThirtyTwoBytes()
    {
        assertEquals(32, EntryDescriptor.HEADER_LENGTH + IndexDescriptor.SLOT_LENGTH);
    }

    @Test
    void flagsFitInTheBitsARecordLengthNeverUses()
    {
        final int[] flags = {EntryDescriptor.FLAG_DELETED, EntryDescriptor.FLAG_PADDING, EntryDescriptor.FLAG_CHUNK,
            EntryDescriptor.FLAG_HEAD};
        int all = 0;
        for (final int flag : flags)
        {
            assertEquals(1, Integer.bitCount(flag), "one bit per flag");
            assertEquals(0, all & flag, "flags must not overlap");
            all |= flag;
        }
        assertEquals(EntryDescriptor.FLAGS_MASK, all);
        assertEquals(EntryDescriptor.ALIGNMENT - 1, EntryDescriptor.FLAGS_MASK & (EntryDescriptor.ALIGNMENT - 1));
        // the largest record is a quarter of the largest ring: its length never reaches a high flag
        final int largestRecord = Ring.maxRecordLength(Integer.MAX_VALUE & -EntryDescriptor.ALIGNMENT);
        assertEquals(0, largestRecord & EntryDescriptor.FLAGS_MASK);
        assertTrue(Integer.highestOneBit(largestRecord) < EntryDescriptor.FLAG_HEAD);
        assertEquals(largestRecord, Entries.recordLength(largestRecord | EntryDescriptor.FLAGS_MASK));
    }

    @Test
    void largeValueHeadFieldsAreContiguousAlignedAndSumToItsLength()
    {
        final int[][] fields = {
            {LargeValueDescriptor.GENERATION_OFFSET, Long.BYTES},
            {LargeValueDescriptor.VALUE_LENGTH_OFFSET, Integer.BYTES},
            {LargeValueDescriptor.CHUNK_LENGTH_OFFSET, Integer.BYTES},
            {LargeValueDescriptor.CHECK_OFFSET, Integer.BYTES},
            {LargeValueDescriptor.RESERVED_OFFSET, Integer.BYTES},
        };
        assertEquals(contiguousAndAligned(fields), LargeValueDescriptor.LENGTH);
        assertEquals(24, LargeValueDescriptor.LENGTH);
        assertEquals(3, LargeValueDescriptor.chunkCount(201, 100));
        assertEquals(2, LargeValueDescriptor.chunkCount(200, 100));
        assertEquals(21_474_837, LargeValueDescriptor.chunkCount(Integer.MAX_VALUE, 100));
    }

    @Test
    void recordLengthsAreAligned()
    {
        assertEquals(24, EntryDescriptor.recordLength(0, 0));
        assertEquals(32, EntryDescriptor.recordLength(1, 0));
        assertEquals(32, EntryDescriptor.recordLength(4, 4));
        assertEquals(40, EntryDescriptor.recordLength(8, 1));
        assertEquals(24 + 16 + 104, EntryDescriptor.recordLength(16, 100));
    }

    @Test
    void expiryAndKeyLengthShareOneWord()
    {
        assertEquals(64, EntryDescriptor.EXPIRY_BITS + 16);
        assertEquals(0xFFFF, EntryDescriptor.MAX_KEY_LENGTH);
        assertTrue(EntryDescriptor.MAX_EXPIRE_AT > 8 * dev.larder.OffHeapCache.MAX_TTL.toMillis(), "8000+ years");
    }

    @Test
    void indexSlotRoundTripsTagAndPosition()
    {
        final int[] tags = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x12345678};
        final int[] positions = {0, 8, 4096, Integer.MAX_VALUE & -8};
        for (final int tag : tags)
        {
            for (final int position : positions)
            {
                final long slot = IndexDescriptor.slot(tag, position);
                assertTrue(slot != IndexDescriptor.EMPTY);
                assertEquals(tag & IndexDescriptor.TAG_MASK, IndexDescriptor.tag(slot));
                assertEquals(position, IndexDescriptor.position(slot));
                assertEquals(0, slot & IndexDescriptor.META_MASK, "a new slot has no access metadata");
                for (int epoch = 0; epoch < IndexDescriptor.EPOCHS; epoch++)
                {
                    final long marked = IndexDescriptor.referenced(slot, epoch);
                    assertTrue(IndexDescriptor.isReferenced(marked));
                    assertEquals(epoch, IndexDescriptor.epoch(marked));
                    assertEquals(IndexDescriptor.tag(slot), IndexDescriptor.tag(marked),
                        "metadata leaves the tag alone");
                    assertEquals(position, IndexDescriptor.position(marked), "metadata leaves the position alone");
                    assertTrue(IndexDescriptor.sameRecord(marked, slot));
                    final long cleared = IndexDescriptor.unreferenced(marked);
                    assertTrue(!IndexDescriptor.isReferenced(cleared));
                    assertEquals(epoch, IndexDescriptor.epoch(cleared), "clearing R keeps the epoch");
                    final long moved = IndexDescriptor.moved(marked, 64);
                    assertEquals(64, IndexDescriptor.position(moved));
                    assertEquals(marked & IndexDescriptor.META_MASK, moved & IndexDescriptor.META_MASK);
                }
            }
        }
        assertEquals(8, IndexDescriptor.SLOT_LENGTH);
    }

    @Test
    void metadataBitsSitBetweenThePositionAndTheTag()
    {
        assertEquals(0, IndexDescriptor.META_MASK & 0xFFFF_FFFFL, "the position word is untouched");
        assertEquals(0, IndexDescriptor.META_MASK & ((long)IndexDescriptor.TAG_MASK << 32), "the tag is untouched");
        assertEquals(5, Long.bitCount(IndexDescriptor.META_MASK), "R plus a 4-bit epoch");
        assertEquals(IndexDescriptor.EPOCHS, 1 << 4);
    }

    @Test
    void homeSlotsSpreadOverTheWholeIndex()
    {
        assertEquals(0, IndexDescriptor.home(0, 1000));
        assertEquals(999, IndexDescriptor.home(-1, 1000));
        assertEquals(500, IndexDescriptor.home(Integer.MIN_VALUE, 1000));
        assertEquals(3, IndexDescriptor.maxEntries(4));
    }

    @Test
    void aSketchKeysFourCountersLieInFourWordsOfOneCacheLine()
    {
        assertEquals(64, SketchDescriptor.BLOCK_LENGTH, "a block is one 64-byte cache line");
        assertEquals(SketchDescriptor.BLOCK_WORDS * Long.BYTES, SketchDescriptor.BLOCK_LENGTH);
        assertEquals(16, SketchDescriptor.COUNTERS_PER_WORD);
        assertEquals(15, SketchDescriptor.MAX_COUNT);
        assertEquals(SketchDescriptor.MIN_WORDS * Long.BYTES, FrequencySketch.bytesFor(1), "at least one block");
        final java.util.SplittableRandom random = new java.util.SplittableRandom(13);
        for (int n = 0; n < 10_000; n++)
        {
            final long hash = random.nextLong();
            final int blockMask = (1 << random.nextInt(0, 24)) - 1;
            final int block = SketchDescriptor.blockOffset(hash, blockMask);
            assertEquals(0, block % SketchDescriptor.BLOCK_LENGTH, "blocks are line-aligned");
            assertTrue(block >= 0 && block <= blockMask * SketchDescriptor.BLOCK_LENGTH);
            int words = 0;
            for (int i = 0; i < SketchDescriptor.COUNTERS_PER_KEY; i++)
            {
                final int word = SketchDescriptor.wordOffset(block, hash, i);
                assertEquals(0, word % Long.BYTES, "words are aligned");
                assertTrue(word >= block && word < block + SketchDescriptor.BLOCK_LENGTH, "inside the block");
                words |= 1 << (word - block) / Long.BYTES;
                final int shift = SketchDescriptor.nibbleShift(hash, i);
                assertEquals(0, shift % SketchDescriptor.COUNTER_BITS, "counters are nibbles");
                assertTrue(shift >= 0 && shift <= Long.SIZE - SketchDescriptor.COUNTER_BITS);
            }
            assertEquals(SketchDescriptor.COUNTERS_PER_KEY, Integer.bitCount(words), "four different words");
        }
        // halving: a shift and the mask halve each nibble without borrowing from its neighbour
        final long word = 0xF1E2_D3C4_B5A6_9788L;
        final long halved = word >>> 1 & SketchDescriptor.RESET_MASK;
        for (int shift = 0; shift < Long.SIZE; shift += SketchDescriptor.COUNTER_BITS)
        {
            assertEquals((word >>> shift & 0xF) / 2, halved >>> shift & 0xF, "nibble at " + shift);
        }
    }

    /**
     * @param fields pairs of (offset, length), in order
     * @return the length they sum to, once checked contiguous and each aligned to its length
     */
    private static int contiguousAndAligned(final int[][] fields)
    {
        int expected = 0;
        for (final int[] field : fields)
        {
            assertEquals(expected, field[0], "fields must be contiguous");
            assertEquals(0, field[0] % field[1], "field at " + field[0] + " must be aligned to its size");
            expected += field[1];
        }
        return expected;
    }

    @Test
    void snapshotRecordsAreContiguousAlignedAndSumToTheirLengths()
    {
        assertLayout(64, new int[][] {
            {SnapshotDescriptor.MAGIC_OFFSET, Long.BYTES},
            {SnapshotDescriptor.VERSION_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.HEADER_LENGTH_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.CAPACITY_OFFSET, Long.BYTES},
            {SnapshotDescriptor.SEGMENTS_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.HASH_FUNCTION_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.SAVED_AT_OFFSET, Long.BYTES},
            {SnapshotDescriptor.HEADER_RESERVED_OFFSET, Integer.BYTES, SnapshotDescriptor.HEADER_RESERVED_LENGTH},
            {SnapshotDescriptor.HEADER_CRC_OFFSET, Integer.BYTES},
        }, SnapshotDescriptor.HEADER_LENGTH);
        assertLayout(32, new int[][] {
            {SnapshotDescriptor.SECTION_MARKER_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.SECTION_INDEX_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.SECTION_PAYLOAD_LENGTH_OFFSET, Long.BYTES},
            {SnapshotDescriptor.SECTION_ENTRIES_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.SECTION_PAYLOAD_CRC_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.SECTION_RESERVED_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.SECTION_CRC_OFFSET, Integer.BYTES},
        }, SnapshotDescriptor.SECTION_HEADER_LENGTH);
        assertLayout(24, new int[][] {
            {SnapshotDescriptor.RECORD_KIND_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.RECORD_RESERVED_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.RECORD_EXPIRE_AT_OFFSET, Long.BYTES},
            {SnapshotDescriptor.RECORD_KEY_LENGTH_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.RECORD_VALUE_LENGTH_OFFSET, Integer.BYTES},
        }, SnapshotDescriptor.RECORD_HEADER_LENGTH);
        assertLayout(32, new int[][] {
            {SnapshotDescriptor.TRAILER_MAGIC_OFFSET, Long.BYTES},
            {SnapshotDescriptor.TRAILER_ENTRIES_OFFSET, Long.BYTES},
            {SnapshotDescriptor.TRAILER_PAYLOAD_BYTES_OFFSET, Long.BYTES},
            {SnapshotDescriptor.TRAILER_SECTIONS_OFFSET, Integer.BYTES},
            {SnapshotDescriptor.TRAILER_CRC_OFFSET, Integer.BYTES},
        }, SnapshotDescriptor.TRAILER_LENGTH);
    }

    @Test
    void eachChecksumIsTheLastFieldOfItsRecordSoThatItCoversAllTheOthers()
    {
        assertEquals(SnapshotDescriptor.HEADER_LENGTH - Integer.BYTES, SnapshotDescriptor.HEADER_CRC_OFFSET);
        assertEquals(SnapshotDescriptor.SECTION_HEADER_LENGTH - Integer.BYTES, SnapshotDescriptor.SECTION_CRC_OFFSET);
        assertEquals(SnapshotDescriptor.TRAILER_LENGTH - Integer.BYTES, SnapshotDescriptor.TRAILER_CRC_OFFSET);
    }

    @Test
    void aSnapshotRecordIsNeverLongerThanTheRingRecordItCopies()
    {
        assertEquals(EntryDescriptor.HEADER_LENGTH, SnapshotDescriptor.RECORD_HEADER_LENGTH);
        for (int length = 0; length < 64; length++)
        {
            assertTrue(SnapshotDescriptor.recordLength(length, 3) <= EntryDescriptor.recordLength(length, 3));
        }
    }

    @Test
    void snapshotMarkersSpellTheirNamesInTheFile()
    {
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals("LARDERSN", new String(bytes.putLong(0, SnapshotDescriptor.MAGIC).array(),
            java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("LARDEREN", new String(bytes.putLong(0, SnapshotDescriptor.TRAILER_MAGIC).array(),
            java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("SECT", new String(bytes.putInt(0, SnapshotDescriptor.SECTION_MARKER).array(), 0, 4,
            java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(EntryDescriptor.FLAGS_MASK & ~3, SnapshotDescriptor.KIND_MASK);
    }

    /** Fields {offset, size[, length when not size]} must be contiguous, aligned to size, and sum to the total. */
    private static void assertLayout(final int expectedLength, final int[][] fields, final int length)
    {
        int expected = 0;
        for (final int[] field : fields)
        {
            assertEquals(expected, field[0], "fields must be contiguous");
            assertEquals(0, field[0] % field[1], "field at " + field[0] + " must be aligned to its size");
            expected += field.length > 2 ? field[2] : field[1];
        }
        assertEquals(expected, length);
        assertEquals(expectedLength, length);
        assertEquals(0, length % Long.BYTES);
    }
}
