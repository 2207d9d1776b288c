package dev.larder.internal;

import static dev.larder.internal.PagedRing.PROBATION;
import static dev.larder.internal.PagedRing.PROTECTED;
import static dev.larder.internal.PagedRing.WINDOW;

import dev.larder.RemovalCause;

/**
 * Which record leaves when a segment needs room, by frequency as well as recency: the segment's
 * records sit in three queues of a {@link PagedRing} (window, probation, protected), and the
 * cache's {@link FrequencySketch} decides at the door of the main region (TinyLFU admission). The
 * design and its measurements are in docs/policy.md; this class follows the simulator's model
 * ({@code RingPolicyModel}) step for step.
 *
 * <h2>One step</h2>
 * Each call of {@link #evictHead} makes one decision:
 * <ul>
 *   <li>When the window holds more than its target (the cache's {@link AdaptiveShared#windowShare()
 *       window share} of the entries the segment holds), its head leaves it: a head read since it
 *       entered goes round again (CLOCK), except that in a window of at least 3/4 of the entries
 *       the read must also be recent, and there an unread head that a lap passed forward goes
 *       round once ({@link #windowKeepAge}); any other unread head is a <em>candidate</em>. While the main
 *       region is below its share the candidate moves to probation; otherwise it is compared with
 *       the <em>victim</em>, the first unread record at probation's head, and the one the sketch
 *       has seen less often is evicted. Ties go to the victim, except that a candidate seen at least
 *       {@link #FLOOD_FREQUENCY} times wins one time in 128 (so that nobody can keep a victim in
 *       place by reading it without end). A candidate evicted this way counts as an eviction and as
 *       an {@link SegmentStat#ADMISSION_REJECTIONS admission rejection}; the listener hears
 *       {@link RemovalCause#EVICTED}.</li>
 *   <li>Otherwise the victim is evicted.</li>
 * </ul>
 * Finding the victim promotes probation heads that were read to protected, and keeps protected
 * within {@link #PROTECTED_SHARE} of the main region: its overflow goes round again when read in
 * the last {@link #KEEP_AGE} epochs, or back to probation. While the main region holds more than
 * its share, because the window's share grew, a probation head that was read moves to the window
 * instead, read mark and all: the growing window takes in what main's readers still use, where
 * otherwise main would be evicted in its queue order as new records arrive (the zigzag trace at
 * 1,000 entries lost a whole sweep to that when the cache turned to a 100% window). Caffeine's
 * climber moves entries from main into a growing window for the same reason. Each move is a copy
 * to a queue's tail that consumes a read mark, so moves cost no more than reads, amortised; a step makes at most
 * about as many moves as the segment holds entries, after which the head it reached is taken as it
 * is (readers that keep marking entries cannot keep a step going).
 *
 * <h2>Counting</h2>
 * The sketch counts an insertion, and a read that changes its slot's mark (R clear, or an older
 * epoch): the read path's compare-and-set detects that already, and hands the hash to the
 * segment's small lossy buffer ({@link #noteRead}); the next writer drains it under the lock. So a
 * hot entry read a thousand times in one epoch counts once. The same hashes, and every hit of a
 * sampled key once the shadows are full, feed the cache's {@link WindowShadows}, which set the
 * window share (before that a sampled hit is a hit in every shadow and tells them nothing); the
 * reader that fills the buffer drains it itself when the shadows' lock is free (a try, never a
 * wait), so that a run of hits without appends reaches the shadows whole.
 *
 * <h2>Chunks</h2>
 * Chunks of large values are never refused at the door: their value's head is, like any entry.
 *
 * <h2>Concurrency</h2>
 * Under the segment lock, except {@link #noteRead}, which lock-free readers call (plain writes to
 * a 16-slot array: a lost or repeated hash only makes a count a little off). Drains run under the
 * shadows' lock ({@link AdaptiveShared#lock}).
 */
final class AdaptivePolicy extends EvictionPolicy
{
    /** The protected queue's most, as a share of the main region. */
    static final double PROTECTED_SHARE = 0.8;
    /** A candidate seen this often may win a tie-breaking coin against its victim. */
    static final int FLOOD_FREQUENCY = 6;
    private static final int READ_BUFFER = 16;
    /** Compaction moves one append may make before it evicts instead. */
    private static final int MAX_COMPACTIONS = 8;

    private final PagedRing ring;
    private final AdaptiveShared shared;
    private final long[] counts;
    private final long[] thresholds;
    private final long[] reads = new long[READ_BUFFER];
    private final boolean[] counted = new boolean[READ_BUFFER];
    private int readCursor;
    /** Sketch counts not yet reported to the sketch's aging ({@link #added}). */
    private int additions;
    private int drained;
    private long coin;
    private int movesLeft;
    private int compactionsLeft;
    private int victimQueue;
    /** Where {@link #touch} keeps what it read, so that the JIT keeps the load. */
    private long touched;

    /**
     * @param counts the segment's counters, by {@link SegmentStat} ordinal: this policy counts its
     *               moves and admission rejections itself
     */
    AdaptivePolicy(
        final PagedRing ring, final SlotIndex index, final Expiry expiry, final Callbacks callbacks,
        final AdaptiveShared shared, final long[] counts)
    {
        super(ring, index, expiry, callbacks);
        this.ring = ring;
        this.shared = shared;
        this.counts = counts;
        this.thresholds = shared.thresholds();
        this.coin = shared.coinSeed();
    }

    /**
     * Hands a hit to the next drain, lock-free: for the sketch when it changed its slot's mark, for
     * the shadows when its key is sampled and they are full (before that a hit scores alike in all
     * of them and tells them nothing: a cache its working set fits in feeds them nothing on reads);
     * most hits of a hot entry are neither and write nothing. The segment calls this only for a
     * hit that changed its mark or once the shadows are full ({@link #wantsRead}).
     * The reader that fills the buffer drains it, when the shadows' lock is free: in a run of hits
     * without appends the shadows must still see every sampled hit, or they replay another trace.
     */
    void noteRead(final int tag, final boolean markChanged)
    {
        final long hash = AdaptiveShared.spread(tag);
        final long mix = AdaptiveShared.sampleMix(hash);
        if (markChanged || mix < thresholds[AdaptiveShared.REPLAY])
        {
            buffer(hash, markChanged);
        }
    }

    /**
     * @return true when {@link #noteRead} may want a hit: it changed its slot's mark, or the
     *     shadows are full; the read path tests this on the segment's copy of the thresholds
     *     before it reaches this object, which a hit of a cache its working set fits in then never
     *     reads
     */
    static boolean wantsRead(final long[] thresholds, final boolean markChanged)
    {
        return markChanged || thresholds[AdaptiveShared.REPLAY] != 0;
    }

    /**
     * The rare part of {@link #noteRead}, kept out of it so that the read path the JIT compiles
     * holds only the test above: writes the hit into the buffer, and drains a full buffer when the
     * shadows' lock is free.
     */
    private void buffer(final long hash, final boolean markChanged)
    {
        final int cursor = readCursor;
        reads[cursor & (READ_BUFFER - 1)] = hash;
        counted[cursor & (READ_BUFFER - 1)] = markChanged;
        readCursor = cursor + 1;
        if (cursor + 1 - drained >= READ_BUFFER)
        {
            drainReads(false);
        }
    }

    @Override
    void beforeAppend()
    {
        super.beforeAppend();
        movesLeft = Math.max(16, ring.entries(WINDOW) + ring.entries(PROBATION) + ring.entries(PROTECTED));
        compactionsLeft = MAX_COMPACTIONS;
        if (readCursor != drained)
        {
            drainReads(true);
        }
    }

    /**
     * Feeds the buffered hits to the sketch and the shadows, oldest first, under the shadows' lock
     * when one of them is sampled (a writer waits for the lock, a reader only tries it); otherwise,
     * and when a reader finds the lock taken, to the sketch alone, with no lock (the sketch takes
     * racing increments, as from two segments; a sampled hit a reader could not replay is noise in
     * a sample). So most drains take no cache-wide lock: with the lock on every drain, two threads
     * writing 10% of the time ran at a third of second chance's speed. Readers racing on the
     * cursor may move it back or skip slots: the count of pending hits is kept between 0 and the
     * buffer's size, so a drain never runs longer.
     *
     * @param writer true for a writer, which holds the segment lock and may wait for the shadows'
     */
    private void drainReads(final boolean writer)
    {
        final int cursor = readCursor;
        final int first = cursor - Math.max(0, Math.min(READ_BUFFER, cursor - drained));
        drained = cursor;
        boolean replay = false;
        for (int i = first; i != cursor && !replay; i++)
        {
            replay = shared.sampled(reads[i & (READ_BUFFER - 1)]);
        }
        if (replay && (writer ? shared.lock() : shared.tryLock()))
        {
            try
            {
                for (int i = first; i != cursor; i++)
                {
                    added(shared.accessLocked(reads[i & (READ_BUFFER - 1)], counted[i & (READ_BUFFER - 1)]));
                }
            }
            finally
            {
                shared.unlock();
            }
            return;
        }
        for (int i = first; i != cursor; i++)
        {
            if (counted[i & (READ_BUFFER - 1)])
            {
                added(shared.count(reads[i & (READ_BUFFER - 1)]));
            }
        }
    }

    /**
     * Reports a sketch count that grew toward the sketch's aging, in batches
     * ({@link AdaptiveShared#ADDITION_BATCH}); plain and racy between a writer and a draining
     * reader, which at worst ages the sketch a few counts late.
     */
    private void added(final boolean grew)
    {
        if (grew && ++additions >= thresholds[AdaptiveShared.ADDITION_BATCH])
        {
            shared.added(additions);
            additions = 0;
        }
    }

    /**
     * Starts loading the sketch line that {@link #inserted} will count for this tag, before the
     * append makes room: the line's miss then overlaps the eviction's own (measured in
     * docs/benchmarks.md, "The adaptive policy's cost").
     */
    void touch(final int tag)
    {
        touched += shared.touch(AdaptiveShared.spread(tag));
    }

    /** Counts the insertion of a new record: an access the sketch and the shadows see. */
    void inserted(final int tag, final boolean chunk)
    {
        if (!chunk)
        {
            added(shared.access(AdaptiveShared.spread(tag), true));
        }
    }

    /** @return true when the live records leave room for one of {@code recordLength} in the segment's budget */
    @Override
    boolean hasBudgetFor(final int recordLength)
    {
        return ring.liveBytes() + recordLength <= ring.budgetBytes();
    }

    @Override
    long estimateHolds(final int live, final int ringSize, final int used)
    {
        return live * ring.budgetBytes() / Math.max(1, ring.liveBytes());
    }

    @Override
    void afterInsert(final int live, final int maxEntries, final int ringSize, final int used)
    {
        final int before = holds;
        super.afterInsert(live, maxEntries, ringSize, used);
        if (holds != before)
        {
            shared.segmentHolds(holds);
        }
    }

    @Override
    SegmentStat evictHead(final int live)
    {
        // the segment is full when it makes room: its live records are what it holds
        final int full = Math.max(live, 1);
        final int windowTarget = Math.max(1, (int)Math.round(shared.windowShare() * full));
        final int window = ring.entries(WINDOW);
        final int main = ring.entries(PROBATION) + ring.entries(PROTECTED);
        if (window > 0 && (window >= windowTarget || main == 0))
        {
            return stepWindow(full, windowTarget, window > windowTarget);
        }
        final int victim = findVictim(full, windowTarget);
        if (victim < 0)
        {
            return window > 0 ? stepWindow(full, windowTarget, true) : reclaimDead();
        }
        return evict(victimQueue, victim);
    }

    /**
     * Frees a page when the live records are within the budget but the pages are not: deleted
     * records (removed, replaced or relocated entries) wait in the queues until their head passes.
     * When some queue's head page is at most a quarter live, compacts it: its live head goes to its
     * own tail with its read mark, so the head passes the dead records behind it, and freeing the
     * page moves at most a quarter of a page. Otherwise, or after {@link #MAX_COMPACTIONS} moves in
     * one append, makes room as {@link #evictHead} does.
     */
    @Override
    SegmentStat evictForRoom(final int live)
    {
        int queue = -1;
        int least = Integer.MAX_VALUE;
        for (int q = 0; q < PagedRing.QUEUES; q++)
        {
            final int headLive = ring.headPageLive(q);
            if (headLive >= 0 && headLive < least)
            {
                least = headLive;
                queue = q;
            }
        }
        if (queue < 0 || least > ring.pageSize() / 4 || compactionsLeft <= 0)
        {
            return evictHead(live);
        }
        final int position = liveHead(queue);
        if (position < 0)
        {
            return null;
        }
        final int length = Entries.recordLength(Entries.recordWord(ring.memory(), position));
        if (!ring.canMove(queue, length))
        {
            return evictHead(live);
        }
        compactionsLeft--;
        final int slot = index.slotOf(position);
        final long slotValue = index.slotValue(slot);
        index.setSlotValue(slot, IndexDescriptor.moved(slotValue, ring.moveHead(queue, queue, length)));
        counts[SegmentStat.MOVES.ordinal()]++;
        return null;
    }

    /**
     * The window's head leaves the window: round again when it was read, to probation when the
     * window is over its target (its excess flows to the main region), else through the door.
     */
    private SegmentStat stepWindow(final int full, final int windowTarget, final boolean overTarget)
    {
        final int position = liveHead(WINDOW);
        if (position < 0)
        {
            return null;
        }
        final Memory memory = ring.memory();
        final int word = Entries.recordWord(memory, position);
        final int length = Entries.recordLength(word);
        if (expiry.isExpired(Entries.expireAt(memory, position)))
        {
            return evict(WINDOW, position);
        }
        final int slot = index.slotOf(position);
        final long slotValue = index.slotValue(slot);
        final int keepAge = windowKeepAge(windowTarget, full);
        if (movesLeft > 0 && ring.canMove(WINDOW, length))
        {
            final boolean read = IndexDescriptor.isReferenced(slotValue);
            if (read && age(slotValue) < keepAge)
            {
                // in a large window the lap also ages the mark, so that the record is not taken for
                // a fresh one when it is next at the head unread
                relocate(WINDOW, WINDOW, slot, keepAge < IndexDescriptor.EPOCHS ?
                    IndexDescriptor.unreferenced(slotValue, epoch() - keepAge) :
                    IndexDescriptor.unreferenced(slotValue), length);
                return null; // a move is counted by relocate()
            }
            if (!read && keepAge < IndexDescriptor.EPOCHS && age(slotValue) < keepAge / 2)
            {
                // a record a lap passed forward: it is at the head long before its turn
                relocate(WINDOW, WINDOW, slot, IndexDescriptor.unreferenced(slotValue, epoch() - keepAge), length);
                return null;
            }
        }
        if (overTarget && ring.canMove(PROBATION, length))
        {
            move(WINDOW, PROBATION, slot, slotValue, length);
            return null;
        }
        final int victim = findVictim(full, windowTarget);
        if (victim < 0)
        {
            return evict(WINDOW, position);
        }
        if (Entries.isChunk(word) || admits(Entries.tag(memory, position), Entries.tag(memory, victim)))
        {
            final SegmentStat outcome = evict(victimQueue, victim);
            if (ring.canMove(PROBATION, length))
            {
                final int candidateSlot = index.slotOf(position);
                move(WINDOW, PROBATION, candidateSlot, index.slotValue(candidateSlot), length);
            }
            return outcome;
        }
        counts[SegmentStat.ADMISSION_REJECTIONS.ordinal()]++;
        return evict(WINDOW, position);
    }

    /**
     * The epochs within which a read window head must have been read to go round again. A window of
     * 3/4 or more of the entries is the cache's recency region: there a read older than three quarters of the window's turnover ({@link #EPOCHS_PER_TURNOVER} epochs per
     * turnover of the whole segment: 6 epochs at a 100% window, as {@link #KEEP_AGE} in
     * the second-chance policy, 5 at 90%) does not keep the head, which brings the CLOCK closer to
     * LRU. A plain CLOCK there sent every head read since its last lap round again, behind records
     * inserted after that read: where a phase of new keys begins (a loop after a recency phase on the
     * phases trace) the old phase's read records then outlived the new ones, and where a sweep turns
     * (zigzag) the records absorbed from main were evicted just before their turn (zigzag at 1,000
     * entries -1.99 points against LRU before, -1.00 after; phases at 4,000 -1.82 before, -1.29
     * after). A smaller window is the door's filter, and any read sends its head round again (a
     * keep age there cost up to 1.3 points on cpp and multi3).
     * <p>
     * In a large window an unread head younger than half the keep age (3 epochs at 100%, 2 at 90%)
     * also goes round again, once: a head normally has about a whole turnover behind it, and one
     * that young is a record that a lap passed forward. When every record has been read since the
     * last lap (the end of a hit phase), the next insertion sends all of them round again behind
     * the records inserted just before, which a plain CLOCK then evicts first, LRU last; the new
     * record itself would be evicted by the lap its insertion started. The lap therefore also ages
     * each mark it clears to the keep age, so a record that went round is never taken for a fresh
     * one (zigzag at 1,000 entries: -1.00 to -0.68 points against LRU, the last of 103 cells that
     * was more than a point below).
     * {@code stepWindow} applies both rules.
     *
     * @param windowTarget the window's target, in entries
     * @param full         the entries the segment holds
     * @return the age limit, {@link IndexDescriptor#EPOCHS} (no limit) for a small window
     */
    static int windowKeepAge(final int windowTarget, final int full)
    {
        if (windowTarget * 4L < full * 3L || full <= 0)
        {
            return IndexDescriptor.EPOCHS;
        }
        // round(share × 6): 3/4 of the window's turnover of share × EPOCHS_PER_TURNOVER epochs
        return (int)((windowTarget * (long)EPOCHS_PER_TURNOVER * 3 / 2 + full) / (2L * full));
    }

    /**
     * Finds the first unread live record at probation's head (its queue in {@link #victimQueue}),
     * promoting read ones to protected and keeping protected within its share on the way.
     *
     * @return its position, or -1 when the main region holds no live record
     */
    private int findVictim(final int full, final int windowTarget)
    {
        final long protectedTarget = (long)((full - windowTarget) * PROTECTED_SHARE);
        while (true)
        {
            final int position = liveHead(PROBATION);
            if (position < 0)
            {
                final int top = liveHead(PROTECTED);
                if (top < 0)
                {
                    return -1;
                }
                final int length = Entries.recordLength(Entries.recordWord(ring.memory(), top));
                if (movesLeft <= 0 || !ring.canMove(PROBATION, length))
                {
                    victimQueue = PROTECTED;
                    return top;
                }
                final int slot = index.slotOf(top);
                move(PROTECTED, PROBATION, slot, index.slotValue(slot), length);
                continue;
            }
            victimQueue = PROBATION;
            final int length = Entries.recordLength(Entries.recordWord(ring.memory(), position));
            final int slot = index.slotOf(position);
            final long slotValue = index.slotValue(slot);
            if (!IndexDescriptor.isReferenced(slotValue) || movesLeft <= 0 ||
                expiry.isExpired(Entries.expireAt(ring.memory(), position)))
            {
                return position;
            }
            if (ring.entries(PROBATION) + ring.entries(PROTECTED) > full - windowTarget && ring.canMove(WINDOW, length))
            {
                // the main region is over its share (the window's grew): a record read there
                // joins the window with its mark, rather than the protected queue
                relocate(PROBATION, WINDOW, slot, slotValue, length);
                continue;
            }
            if (!ring.canMove(PROTECTED, length))
            {
                return position;
            }
            move(PROBATION, PROTECTED, slot, slotValue, length);
            while (ring.entries(PROTECTED) > protectedTarget && movesLeft > 0)
            {
                final int top = liveHead(PROTECTED);
                if (top < 0)
                {
                    break;
                }
                final int topLength = Entries.recordLength(Entries.recordWord(ring.memory(), top));
                final int topSlot = index.slotOf(top);
                final long topValue = index.slotValue(topSlot);
                final int to = IndexDescriptor.isReferenced(topValue) && age(topValue) < KEEP_AGE ? PROTECTED :
                    PROBATION;
                if (!ring.canMove(to, topLength))
                {
                    break;
                }
                move(PROTECTED, to, topSlot, topValue, topLength);
            }
        }
    }

    /**
     * @return the position of the first live record of {@code queue}, reclaiming padding and deleted
     *     ones; -1 if none
     */
    private int liveHead(final int queue)
    {
        final Memory memory = ring.memory();
        while (!ring.isEmpty(queue))
        {
            final int position = ring.head(queue);
            final int word = Entries.recordWord(memory, position);
            final int length =
                ring.checkRecord(position, Math.max(Entries.recordLength(word), EntryDescriptor.ALIGNMENT));
            if (!Entries.isPadding(word) && !Entries.isDeleted(word))
            {
                ring.checkRecord(position, EntryDescriptor.HEADER_LENGTH + Entries.keyLength(memory, position));
                return position;
            }
            ring.reclaimHead(queue, length, false);
        }
        return -1;
    }

    /** Reclaims what is left when no queue has a live record: padding and deleted records only. */
    private SegmentStat reclaimDead()
    {
        for (int queue = 0; queue < PagedRing.QUEUES; queue++)
        {
            liveHead(queue);
        }
        return null;
    }

    /** Moves the head record of {@code from} to the tail of {@code to}, consuming its read mark. */
    private void move(final int from, final int to, final int slot, final long slotValue, final int length)
    {
        relocate(from, to, slot, IndexDescriptor.unreferenced(slotValue), length);
    }

    /** Moves the head record of {@code from} to the tail of {@code to}; its slot takes {@code slotValue}'s mark. */
    private void relocate(final int from, final int to, final int slot, final long slotValue, final int length)
    {
        final int moved = ring.moveHead(from, to, length);
        index.setSlotValue(slot, IndexDescriptor.moved(slotValue, moved));
        counts[SegmentStat.MOVES.ordinal()]++;
        movesLeft--;
    }

    /** Removes the live head record of {@code queue}; the listener hears of it first. */
    private SegmentStat evict(final int queue, final int position)
    {
        final Memory memory = ring.memory();
        final int word = Entries.recordWord(memory, position);
        final boolean expired = expiry.isExpired(Entries.expireAt(memory, position));
        final int slot = index.slotOf(position);
        callbacks.notifyRemoval(position, expired ? RemovalCause.EXPIRED : RemovalCause.EVICTED);
        index.delete(slot);
        ring.reclaimHead(queue, Entries.recordLength(word), true);
        return Entries.isChunk(word) ? SegmentStat.CHUNK_EVICTIONS :
            expired ? SegmentStat.EXPIRATIONS : SegmentStat.EVICTIONS;
    }

    /** @return true when the candidate replaces the victim (TinyLFU, with the flood coin) */
    private boolean admits(final int candidateTag, final int victimTag)
    {
        final int candidate = shared.frequency(AdaptiveShared.spread(candidateTag));
        final int victim = shared.frequency(AdaptiveShared.spread(victimTag));
        if (candidate > victim)
        {
            return true;
        }
        if (candidate < FLOOD_FREQUENCY)
        {
            return false;
        }
        coin ^= coin << 13;
        coin ^= coin >>> 7;
        coin ^= coin << 17;
        return (coin & 127) == 0;
    }
}
