package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.ALIGNMENT;
import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;

import java.util.Arrays;

/**
 * A segment's records in three FIFO queues that share the ring's bytes page by page: the
 * <em>window</em> every new record enters, and the main region's <em>probation</em> and
 * <em>protected</em> queues ({@link AdaptivePolicy}).
 *
 * <h2>Layout</h2>
 * The ring's bytes are cut into {@link #pages()} pages of {@link #pageSize()} bytes. A page is
 * free or belongs to one queue; each queue is a chain of pages (the successor of each page is
 * {@code nextPage[page]}) with a head position in its first page and a tail position in its last.
 * Records lie in a queue between its head and its tail, oldest first, in the same format as in
 * {@link Ring} ({@link EntryDescriptor}), and never cross a page end: a record that does not fit
 * in the rest of the tail page is preceded by a padding record up to the page end, and the queue
 * takes a free page. When a queue's head passes the end of a page, the page is free again. So
 * capacity flows between the queues without copying, a page at a time, and a record leaves a
 * queue only at its head: by eviction, or by a {@link #moveHead move} (a copy) to a queue's tail.
 *
 * <pre>
 *   page:    0        1        2        3        4        5        6        7
 *          +--------+--------+--------+--------+--------+--------+--------+--------+
 *          |W  h....|P  h....|W ....t |  free  |Q  h....|P ....t |Q ...t  |  free  |
 *          +--------+--------+--------+--------+--------+--------+--------+--------+
 *   window 0 -> 2, probation 1 -> 5, protected 4 -> 6; free 3, 7
 * </pre>
 *
 * <h2>Costs</h2>
 * The largest record is one page ({@link #maxRecordLength()}). The bytes a queue cannot use are
 * the part of its head page already passed and the rest of its tail page, about one page per
 * queue; {@link #RESERVE_PAGES} free pages are kept for the moves an eviction step makes. The
 * page table is three small arrays per segment, on the heap: its size depends on the page count,
 * not on the entries.
 *
 * <h2>Concurrency</h2>
 * As {@link Ring}: written under the segment lock; lock-free readers read records through the
 * index, with the same checks, and never the queues.
 */
final class PagedRing extends Ring
{
    /** The queue every new record enters. */
    static final int WINDOW = 0;
    /** The main region's queue of admitted records not read since. */
    static final int PROBATION = 1;
    /** The main region's queue of records read in probation. */
    static final int PROTECTED = 2;
    /** Number of queues. */
    static final int QUEUES = 3;
    /** Pages kept free for the moves of an eviction step: one per queue it may append to. */
    static final int RESERVE_PAGES = QUEUES;
    /** Pages of a ring large enough for them. */
    static final int MAX_PAGES = 64;
    /** The smallest page. */
    static final int MIN_PAGE_SIZE = 256;

    private static final int NONE = -1;

    private final int pageSize;
    private final int pages;
    private final int[] nextPage;
    private final byte[] pageQueue;
    /** Bytes of live records in each page. */
    private final int[] pageLive;
    private final int[] headPage = new int[QUEUES];
    private final int[] head = new int[QUEUES];
    private final int[] tailPage = new int[QUEUES];
    private final int[] tail = new int[QUEUES];
    private final int[] entries = new int[QUEUES];
    private final long[] bytes = new long[QUEUES];
    private final int[] pagesIn = new int[QUEUES];
    private int freePages;
    private int freeHead;

    /** @param memory the ring's bytes; a multiple of {@link EntryDescriptor#ALIGNMENT}, at least 256 */
    PagedRing(final Memory memory)
    {
        this(memory, pageSizeFor(memory.capacity()));
    }

    private PagedRing(final Memory memory, final int pageSize)
    {
        super(memory, pageSize);
        this.pageSize = pageSize;
        this.pages = memory.capacity() / pageSize;
        if (pages < RESERVE_PAGES + QUEUES + 1)
        {
            throw new IllegalArgumentException("ring too small for paged queues: size=" + memory.capacity() +
                ", pageSize=" + pageSize + ", pages=" + pages + ", minimum pages=" + (RESERVE_PAGES + QUEUES + 1));
        }
        this.nextPage = new int[pages];
        this.pageQueue = new byte[pages];
        this.pageLive = new int[pages];
        clear();
    }

    /**
     * @return the page size for a ring of {@code ringSize} bytes: {@link #MAX_PAGES} pages, or fewer
     *     of {@link #MIN_PAGE_SIZE}
     */
    static int pageSizeFor(final int ringSize)
    {
        return Math.max(MIN_PAGE_SIZE, ringSize / MAX_PAGES & -ALIGNMENT);
    }

    int pageSize()
    {
        return pageSize;
    }

    int pages()
    {
        return pages;
    }

    /** @return live records in {@code queue} */
    int entries(final int queue)
    {
        return entries[queue];
    }

    /** @return pages {@code queue} holds */
    int pagesIn(final int queue)
    {
        return pagesIn[queue];
    }

    /**
     * @return bytes of the live records in the head page of {@code queue}, or -1 when that page is
     *     also its tail page (moving its records to the tail would not free it) or it has none
     */
    int headPageLive(final int queue)
    {
        return headPage[queue] == NONE || headPage[queue] == tailPage[queue] ? -1 : pageLive[headPage[queue]];
    }

    /** @return bytes of the live records in {@code queue} */
    long bytes(final int queue)
    {
        return bytes[queue];
    }

    /** @return bytes of the live records in all queues */
    long liveBytes()
    {
        return bytes[WINDOW] + bytes[PROBATION] + bytes[PROTECTED];
    }

    /**
     * @return the live bytes the queues may hold: the pages but the reserve and about one and a third
     *     pages of slack per queue (the part of its head page already passed and the rest of its tail
     *     page), less the padding a page end costs, half a mean record per page
     */
    long budgetBytes()
    {
        final int live = entries[WINDOW] + entries[PROBATION] + entries[PROTECTED];
        final long meanRecord = live == 0 ? 0 : liveBytes() / live;
        return (long)(pages - RESERVE_PAGES - QUEUES - 1) * (pageSize - meanRecord / 2);
    }

    /** @return the queue of the record at {@code position} */
    int queueOf(final int position)
    {
        return pageQueue[position / pageSize];
    }

    /** @return true when {@code queue} holds no record, live or not */
    boolean isEmpty(final int queue)
    {
        // a full tail page ends where another page starts: compare pages as well as positions
        return headPage[queue] == NONE || headPage[queue] == tailPage[queue] && head[queue] == tail[queue];
    }

    /** @return the position of the oldest record of a non-empty {@code queue} */
    int head(final int queue)
    {
        return head[queue];
    }

    @Override
    int head()
    {
        return head[WINDOW];
    }

    @Override
    int used()
    {
        return (pages - freePages) * pageSize;
    }

    // ------------------------------------------------------------------------------------------
    // Appending to the window, reclaiming and moving
    // ------------------------------------------------------------------------------------------

    /** @return true when the window can take a record of {@code recordLength} and leave the reserve free */
    @Override
    boolean hasRoomFor(final int recordLength)
    {
        return fitsTailPage(WINDOW, recordLength) || freePages > RESERVE_PAGES;
    }

    @Override
    int reserve(final int recordLength)
    {
        return reserveIn(WINDOW, recordLength);
    }

    @Override
    void commit(final int recordLength)
    {
        pageLive[tailPage[WINDOW]] += recordLength;
        tail[WINDOW] += recordLength;
        entries[WINDOW]++;
        bytes[WINDOW] += recordLength;
    }

    @Override
    void reclaimHead(final int length)
    {
        reclaimHead(WINDOW, length);
    }

    /**
     * Frees the head record of {@code queue}, of {@code length} bytes.
     *
     * @param live true when it was a live record (evicted), false for padding or a deleted record
     */
    void reclaimHead(final int queue, final int length, final boolean live)
    {
        if (live)
        {
            entries[queue]--;
            bytes[queue] -= length;
            pageLive[headPage[queue]] -= length;
        }
        reclaimHead(queue, length);
    }

    @Override
    void markDeleted(final int position)
    {
        final int queue = queueOf(position);
        final int length = Entries.recordLength(Entries.recordWord(memory(), position));
        entries[queue]--;
        bytes[queue] -= length;
        pageLive[position / pageSize] -= length;
        super.markDeleted(position);
    }

    /** @return true when the head record of {@code from} can move to the tail of {@code to} */
    boolean canMove(final int to, final int recordLength)
    {
        return fitsTailPage(to, recordLength) || freePages > 0;
    }

    /**
     * Copies the live head record of {@code from} to the tail of {@code to}; {@link #canMove} must hold.
     *
     * @return the record's new position
     */
    int moveHead(final int from, final int to, final int recordLength)
    {
        final int source = head[from];
        final int destination = reserveIn(to, recordLength);
        memory().move(source, destination, recordLength);
        pageLive[tailPage[to]] += recordLength;
        tail[to] = destination + recordLength;
        entries[to]++;
        bytes[to] += recordLength;
        reclaimHead(from, recordLength, true);
        return destination;
    }

    @Override
    int moveHeadToTail(final int recordLength)
    {
        return moveHead(WINDOW, WINDOW, recordLength);
    }

    @Override
    void clear()
    {
        Arrays.fill(headPage, NONE);
        Arrays.fill(tailPage, NONE);
        Arrays.fill(head, 0);
        Arrays.fill(tail, 0);
        Arrays.fill(entries, 0);
        Arrays.fill(bytes, 0);
        Arrays.fill(pagesIn, 0);
        Arrays.fill(pageLive, 0);
        Arrays.fill(pageQueue, (byte)NONE);
        for (int page = 0; page < pages; page++)
        {
            nextPage[page] = page + 1 < pages ? page + 1 : NONE;
        }
        freeHead = 0;
        freePages = pages;
    }

    private boolean fitsTailPage(final int queue, final int recordLength)
    {
        return tailPage[queue] != NONE && pageEnd(tailPage[queue]) - tail[queue] >= recordLength;
    }

    /**
     * @return where a record of {@code recordLength} goes at the tail of {@code queue}, padding and
     *     taking a page as needed
     */
    private int reserveIn(final int queue, final int recordLength)
    {
        if (fitsTailPage(queue, recordLength))
        {
            return tail[queue];
        }
        final int page = takeFreePage();
        pageQueue[page] = (byte)queue;
        pagesIn[queue]++;
        nextPage[page] = NONE;
        if (tailPage[queue] == NONE)
        {
            headPage[queue] = page;
            head[queue] = page * pageSize;
        }
        else
        {
            final int padding = pageEnd(tailPage[queue]) - tail[queue];
            if (padding > 0)
            {
                Entries.writePadding(memory(), tail[queue], padding);
            }
            nextPage[tailPage[queue]] = page;
        }
        tailPage[queue] = page;
        tail[queue] = page * pageSize;
        return tail[queue];
    }

    private void reclaimHead(final int queue, final int length)
    {
        final int position = head[queue] + length;
        if (position == tail[queue] && headPage[queue] == tailPage[queue])
        {
            // empty: its only page is free again
            releasePage(headPage[queue]);
            headPage[queue] = NONE;
            tailPage[queue] = NONE;
            head[queue] = 0;
            tail[queue] = 0;
            return;
        }
        final int page = headPage[queue];
        if (position == pageEnd(page))
        {
            final int next = nextPage[page];
            releasePage(page);
            headPage[queue] = next;
            head[queue] = next * pageSize;
        }
        else
        {
            head[queue] = position;
        }
    }

    private int takeFreePage()
    {
        if (freePages == 0)
        {
            throw new IllegalStateException("corrupted segment: no free page for a record: pages=" + pages);
        }
        final int page = freeHead;
        freeHead = nextPage[page];
        freePages--;
        return page;
    }

    private void releasePage(final int page)
    {
        pagesIn[pageQueue[page]]--;
        pageQueue[page] = (byte)NONE;
        nextPage[page] = freeHead;
        freeHead = page;
        freePages++;
    }

    private int pageEnd(final int page)
    {
        return (page + 1) * pageSize;
    }

    // ------------------------------------------------------------------------------------------
    // Walking
    // ------------------------------------------------------------------------------------------

    /**
     * Walks the records of the window, then probation, then protected, each from head to tail,
     * checking each, and calls {@code visitor} for the live ones.
     *
     * @return the number of live records
     * @throws IllegalStateException when a record does not fit its page or a walk misses its tail
     */
    @Override
    <C> int forEachLive(final C context, final RecordVisitor<C> visitor)
    {
        int live = 0;
        int pagesSeen = 0;
        for (int queue = 0; queue < QUEUES; queue++)
        {
            int queueLive = 0;
            for (int page = headPage[queue]; page != NONE; page = nextPage[page])
            {
                if (++pagesSeen > pages || pageQueue[page] != queue)
                {
                    throw new IllegalStateException("corrupted segment: page chain of queue " + queue +
                        " broken at page " + page);
                }
                final int end = page == tailPage[queue] ? tail[queue] : pageEnd(page);
                int position = page == headPage[queue] ? head[queue] : page * pageSize;
                while (position < end)
                {
                    final int word = Entries.recordWord(memory(), position);
                    final int length = checkRecord(position, ALIGNMENT);
                    if (length > end - position)
                    {
                        throw new IllegalStateException("corrupted segment: record crosses its page: position=" +
                            position + ", length=" + length);
                    }
                    if (!Entries.isPadding(word) && !Entries.isDeleted(word))
                    {
                        checkRecord(position, HEADER_LENGTH + Entries.keyLength(memory(), position));
                        visitor.visit(context, position);
                        queueLive++;
                    }
                    position += length;
                }
            }
            if (queueLive != entries[queue])
            {
                throw new IllegalStateException("queue " + queue + " holds " + queueLive + " live records, counted " +
                    entries[queue]);
            }
            live += queueLive;
        }
        if (pagesSeen + freePages != pages)
        {
            throw new IllegalStateException("pages lost: in queues " + pagesSeen + ", free " + freePages + ", of " +
                pages);
        }
        return live;
    }
}
