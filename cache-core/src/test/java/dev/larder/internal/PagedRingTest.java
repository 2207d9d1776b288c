package dev.larder.internal;

import static dev.larder.internal.PagedRing.PROBATION;
import static dev.larder.internal.PagedRing.PROTECTED;
import static dev.larder.internal.PagedRing.WINDOW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.HashFunction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the paged queues of the adaptive policy ({@link PagedRing}) on their own: records
 * appended across page ends (with padding), pages taken and returned, the per-queue counts, moves
 * between queues, a queue whose head and tail sit at the same address on different pages, the
 * walk's checks, clear, and construction errors.
 */
class PagedRingTest
{
    private static final KeyHasher HASHER = KeyHasher.seeded(HashFunction.FAST_TRUSTED_KEYS, 13);
    /** 16 pages of 256 bytes. */
    private static final int RING = 4096;
    private static final int PAGE = 256;

    private final Memory memory = Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(RING));
    private final PagedRing ring = new PagedRing(memory);

    /** Appends a record of a long key and a value of {@code valueLength} bytes (each byte the key) to the window. */
    private int append(final long key, final int valueLength)
    {
        final int recordLength = (int)EntryDescriptor.recordLength(Long.BYTES, valueLength);
        assertTrue(ring.hasRoomFor(recordLength), () -> "no room for " + recordLength + ": " + ring);
        final int position = ring.reserve(recordLength);
        ring.writeRecord(position, recordLength, new KeyRef().set(key, HASHER), 0, valueLength, 0);
        final byte[] value = new byte[valueLength];
        Arrays.fill(value, (byte)key);
        memory.putBytes(Entries.valueOffset(position, Long.BYTES), value, 0, valueLength);
        ring.commit(recordLength);
        return position;
    }

    private static int record(final int valueLength)
    {
        return (int)EntryDescriptor.recordLength(Long.BYTES, valueLength);
    }

    private byte[] valueAt(final int position)
    {
        final int length = Entries.valueLength(memory, position);
        final byte[] value = new byte[length];
        memory.getBytes(Entries.valueOffset(position, Long.BYTES), value, 0, length);
        return value;
    }

    private List<Integer> live()
    {
        final List<Integer> positions = new ArrayList<>();
        final int count = ring.forEachLive(positions, List::add);
        assertEquals(positions.size(), count);
        return positions;
    }

    private int freePages()
    {
        return ring.pages() - ring.pagesIn(WINDOW) - ring.pagesIn(PROBATION) - ring.pagesIn(PROTECTED);
    }

    @Test
    void pagesAreSizedByTheRing()
    {
        assertEquals(PAGE, ring.pageSize());
        assertEquals(16, ring.pages());
        assertEquals(256, PagedRing.pageSizeFor(4096));
        assertEquals(16384, PagedRing.pageSizeFor(1 << 20));
        assertEquals(PAGE, ring.maxRecordLength(), "the largest record is one page");
    }

    @Test
    void aTooSmallRingIsRefusedWithItsNumbers()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new PagedRing(Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(1536))));
        assertEquals("ring too small for paged queues: size=1536, pageSize=256, pages=6, minimum pages=7",
            ex.getMessage());
        // seven pages are enough
        assertEquals(7, new PagedRing(Memories.wrap(MemoryKind.JDK, ByteBuffer.allocateDirect(1792))).pages());
    }

    @Test
    void aRecordThatDoesNotFitItsPageIsPrecededByPaddingAndTakesTheNextPage()
    {
        final int length = record(64);
        assertEquals(96, length);
        assertEquals(0, append(1, 64));
        assertEquals(96, append(2, 64));
        assertEquals(1, ring.pagesIn(WINDOW));
        assertEquals(PAGE, append(3, 64), "the third record starts the next page");
        assertEquals(2, ring.pagesIn(WINDOW));
        final int word = Entries.recordWord(memory, 2 * length);
        assertTrue(Entries.isPadding(word), "padding up to the page end");
        assertEquals(PAGE - 2 * length, Entries.recordLength(word));
        assertEquals(3, ring.entries(WINDOW));
        assertEquals(3L * length, ring.bytes(WINDOW));
        assertEquals(3L * length, ring.liveBytes());
        assertEquals(2 * PAGE, ring.used());
        assertEquals(List.of(0, 96, PAGE), live());
        assertEquals(WINDOW, ring.queueOf(PAGE + 8));
        assertArrayEquals(filled(3, 64), valueAt(PAGE));
    }

    @Test
    void reclaimingPastAPageEndReturnsThePageAndSkipsItsPadding()
    {
        append(1, 64);
        append(2, 64);
        append(3, 64);
        ring.reclaimHead(WINDOW, record(64), true);
        ring.reclaimHead(WINDOW, record(64), true);
        // the padding is still the head: reclaimed like a dead record, then the page is free
        assertEquals(2 * record(64), ring.head(WINDOW));
        ring.reclaimHead(WINDOW, PAGE - 2 * record(64), false);
        assertEquals(PAGE, ring.head(WINDOW));
        assertEquals(1, ring.pagesIn(WINDOW));
        assertEquals(15, freePages());
        assertEquals(1, ring.entries(WINDOW));
        assertEquals(List.of(PAGE), live());
        ring.reclaimHead(WINDOW, record(64), true);
        assertTrue(ring.isEmpty(WINDOW));
        assertEquals(0, ring.used());
        assertEquals(0, ring.pagesIn(WINDOW));
        assertEquals(0, ring.liveBytes());
        assertEquals(List.of(), live());
    }

    @Test
    void aFullTailPageFollowedByThePageOfTheHeadIsNotEmpty()
    {
        final int length = record(96);
        assertEquals(PAGE / 2, length, "two records fill a page exactly");
        append(1, 96);
        append(2, 96);
        append(3, 96);
        append(4, 96);
        // free page 0: it goes back to the front of the free list
        ring.reclaimHead(WINDOW, length, true);
        ring.reclaimHead(WINDOW, length, true);
        assertEquals(PAGE, ring.head(WINDOW));
        // the next page the window takes is page 0: its chain is 1 -> 0
        assertEquals(0, append(5, 96));
        assertEquals(length, append(6, 96));
        // head at 256 (start of page 1), tail at 256 (end of the full page 0)
        assertEquals(PAGE, ring.head(WINDOW));
        assertFalse(ring.isEmpty(WINDOW), "head == tail on different pages is a full queue, not an empty one");
        assertEquals(List.of(PAGE, PAGE + length, 0, length), live());
        assertEquals(4, ring.entries(WINDOW));
        for (int i = 0; i < 4; i++)
        {
            assertFalse(ring.isEmpty(WINDOW));
            ring.reclaimHead(WINDOW, length, true);
        }
        assertTrue(ring.isEmpty(WINDOW));
        assertEquals(16, freePages());
        assertEquals(0, ring.used());
    }

    @Test
    void movesCopyTheHeadToAnotherQueueAndKeepTheCounts()
    {
        final int length = record(64);
        final int first = append(1, 64);
        append(2, 64);
        append(3, 64);
        assertTrue(ring.canMove(PROBATION, length));
        final int moved = ring.moveHead(WINDOW, PROBATION, length);
        assertEquals(PROBATION, ring.queueOf(moved));
        assertEquals(2 * PAGE, moved, "probation took the first free page, page 2");
        assertArrayEquals(filled(1, 64), valueAt(moved));
        assertEquals(Entries.tag(memory, moved), new KeyRef().set(1L, HASHER).tag());
        assertEquals(first + length, ring.head(WINDOW));
        assertEquals(2, ring.entries(WINDOW));
        assertEquals(1, ring.entries(PROBATION));
        assertEquals(length, ring.bytes(PROBATION));
        assertEquals(3L * length, ring.liveBytes());
        final int promoted = ring.moveHead(PROBATION, PROTECTED, length);
        assertEquals(PROTECTED, ring.queueOf(promoted));
        assertTrue(ring.isEmpty(PROBATION));
        assertEquals(0, ring.pagesIn(PROBATION), "probation's page is free again");
        assertEquals(1, ring.pagesIn(PROTECTED));
        // the walk goes window, probation, protected
        assertEquals(List.of(length, PAGE, promoted), live());
        // a move within a queue goes round to its tail
        final int round = ring.moveHead(WINDOW, WINDOW, length);
        assertEquals(WINDOW, ring.queueOf(round));
        assertArrayEquals(filled(2, 64), valueAt(round));
        assertEquals(List.of(PAGE, round, promoted), live());
        assertEquals(2, ring.entries(WINDOW));
    }

    @Test
    void deletedRecordsLeaveTheCountsButKeepTheirBytesUntilReclaimed()
    {
        final int length = record(64);
        append(1, 64);
        final int second = append(2, 64);
        ring.markDeleted(second);
        assertEquals(1, ring.entries(WINDOW));
        assertEquals(length, ring.bytes(WINDOW));
        assertEquals(List.of(0), live());
        ring.reclaimHead(WINDOW, length, true);
        ring.reclaimHead(WINDOW, length, false);
        assertTrue(ring.isEmpty(WINDOW));
        assertEquals(0, ring.entries(WINDOW));
        assertEquals(0, ring.bytes(WINDOW));
    }

    @Test
    void theWindowLeavesTheReservePagesForMoves()
    {
        final int length = record(96);
        int appended = 0;
        while (ring.hasRoomFor(length))
        {
            append(appended++, 96);
        }
        assertEquals(2 * (16 - PagedRing.RESERVE_PAGES), appended);
        assertEquals(PagedRing.RESERVE_PAGES, freePages());
        assertTrue(ring.canMove(PROBATION, length), "a move may use the reserve");
        for (int queue : new int[] {PROBATION, PROTECTED, WINDOW})
        {
            ring.moveHead(WINDOW, queue, length);
        }
        assertEquals(appended, ring.entries(WINDOW) + ring.entries(PROBATION) + ring.entries(PROTECTED));
        assertEquals(appended, live().size());
        assertTrue(ring.budgetBytes() < (long)ring.pages() * PAGE);
    }

    @Test
    void theWalkCatchesACountThatDisagreesWithTheRecords()
    {
        append(1, 64);
        final int second = append(2, 64);
        // deleted behind the ring's back: the count still says two
        Entries.markDeleted(memory, second);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, this::live);
        assertEquals("queue 0 holds 1 live records, counted 2", ex.getMessage());
    }

    @Test
    void clearFreesEveryPage()
    {
        for (int key = 0; key < 10; key++)
        {
            append(key, 64);
        }
        ring.moveHead(WINDOW, PROBATION, record(64));
        ring.moveHead(WINDOW, PROTECTED, record(64));
        ring.clear();
        for (int queue = 0; queue < PagedRing.QUEUES; queue++)
        {
            assertTrue(ring.isEmpty(queue));
            assertEquals(0, ring.entries(queue));
            assertEquals(0, ring.bytes(queue));
            assertEquals(0, ring.pagesIn(queue));
        }
        assertEquals(0, ring.used());
        assertEquals(List.of(), live());
        assertEquals(0, append(42, 64), "the first append after clear takes page 0 again");
    }

    private static byte[] filled(final int key, final int length)
    {
        final byte[] value = new byte[length];
        Arrays.fill(value, (byte)key);
        return value;
    }
}
